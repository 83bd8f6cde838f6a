import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { isTrue, resourceRule } from "../rule";

export const RDS1 = resourceRule(DbInstance, {
  id: "RDS1",
  cause: "The RDS instance is not encrypted at rest.",
  explanation: "Set storage_encrypted = true. Encryption cannot be added later without a snapshot restore.",
  checkov: "CKV_AWS_16",
  check: (db) =>
    isTrue(db.storageEncryptedInput) ? undefined : `storage_encrypted is ${JSON.stringify(db.storageEncryptedInput)}`,
});
