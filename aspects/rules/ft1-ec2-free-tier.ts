import { Instance } from "@cdktf/provider-aws/lib/instance";
import { FREE_TIER } from "../../model/catalog";
import { blocks, literal, resourceRule } from "../rule";

export const FT1 = resourceRule(Instance, {
  id: "FT1",
  cause: "Free-tier guard: the EC2 instance is billed beyond the free tier.",
  explanation: `Use ${FREE_TIER.ec2InstanceTypes.join(", ")} with at most ${FREE_TIER.ec2MaxRootVolumeGiB} GiB of root volume, or turn the guard off for this environment (policy.freeTierGuard).`,
  when: (ctx) => ctx.freeTier,
  check: (i) => {
    const type = literal(i.instanceTypeInput);
    const root = blocks<{ volumeSize?: number }>(i.rootBlockDeviceInput)[0]?.volumeSize ?? 8;
    if (type && !(FREE_TIER.ec2InstanceTypes as readonly string[]).includes(type))
      return `instance_type ${type} is not free-tier`;
    if (root > FREE_TIER.ec2MaxRootVolumeGiB)
      return `root volume ${root} GiB exceeds ${FREE_TIER.ec2MaxRootVolumeGiB} GiB`;
    return undefined;
  },
});
