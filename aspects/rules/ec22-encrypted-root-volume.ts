import { Instance } from "@cdktf/provider-aws/lib/instance";
import { blocks, resourceRule } from "../rule";

export const EC22 = resourceRule(Instance, {
  id: "EC22",
  cause: "The EC2 root volume is not encrypted.",
  explanation: "Set root_block_device.encrypted = true: the source's datadir and binlogs live there.",
  checkov: "CKV_AWS_8",
  check: (i) => {
    const root = blocks<{ encrypted?: unknown }>(i.rootBlockDeviceInput)[0];
    return root?.encrypted === true ? undefined : "root_block_device.encrypted is not true";
  },
});
