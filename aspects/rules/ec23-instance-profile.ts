import { Instance } from "@cdktf/provider-aws/lib/instance";
import { resourceRule } from "../rule";

export const EC23 = resourceRule(Instance, {
  id: "EC23",
  cause: "The EC2 instance has no instance profile.",
  explanation:
    "Attach an instance profile with AmazonSSMManagedInstanceCore: operators use SSM Session Manager instead of SSH keys.",
  checkov: "CKV2_AWS_41",
  check: (i) => (i.iamInstanceProfileInput ? undefined : "iam_instance_profile is not set"),
});
