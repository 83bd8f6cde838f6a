import { Instance } from "@cdktf/provider-aws/lib/instance";
import { resourceRule } from "../rule";

export const EC24 = resourceRule(Instance, {
  id: "EC24",
  cause: "The EC2 instance has an SSH key pair.",
  explanation: "Remove key_name: access goes through SSM Session Manager (audited, no open port, no key to leak).",
  check: (i) => (i.keyNameInput ? `key_name is ${JSON.stringify(i.keyNameInput)}` : undefined),
});
