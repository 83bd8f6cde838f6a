import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { isTrue, resourceRule } from "../rule";

export const RDS4 = resourceRule(DbInstance, {
  id: "RDS4",
  cause: "The RDS master password is not managed by RDS in Secrets Manager.",
  explanation:
    "Use manage_master_user_password = true and no password / password_wo attribute: the password never enters code, plans or state.",
  check: (db) => {
    if (db.passwordInput !== undefined || db.passwordWoInput !== undefined) return "a password attribute is set";
    if (db.replicateSourceDbInput !== undefined) return null; // a replica inherits its source's credentials
    return isTrue(db.manageMasterUserPasswordInput) ? undefined : "manage_master_user_password is not true";
  },
});
