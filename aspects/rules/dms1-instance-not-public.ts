import { DmsReplicationInstance } from "@cdktf/provider-aws/lib/dms-replication-instance";
import { resourceRule } from "../rule";

export const DMS1 = resourceRule(DmsReplicationInstance, {
  id: "DMS1",
  cause: "The DMS replication instance is publicly accessible.",
  explanation:
    "Keep it private and give it a Secrets Manager VPC endpoint (or NAT) for its secrets. The provider sends false when unset; only an explicit true fires.",
  checkov: "CKV_AWS_89",
  check: (i) => (i.publiclyAccessibleInput === true ? "publicly_accessible is true" : undefined),
});
