import { DmsEndpoint } from "@cdktf/provider-aws/lib/dms-endpoint";
import { resourceRule } from "../rule";

export const DMS2 = resourceRule(DmsEndpoint, {
  id: "DMS2",
  cause: "A DMS endpoint does not read its credentials from Secrets Manager.",
  explanation:
    "Set secrets_manager_arn + secrets_manager_access_role_arn and no password/username: the password then never enters code, plans or state.",
  check: (e) => {
    if (e.passwordInput !== undefined) return "password is set on the endpoint";
    if (e.usernameInput !== undefined) return "username is set on the endpoint";
    return e.secretsManagerArnInput && e.secretsManagerAccessRoleArnInput
      ? undefined
      : "secrets_manager_arn / secrets_manager_access_role_arn missing";
  },
});
