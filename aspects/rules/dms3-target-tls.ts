import { DmsEndpoint } from "@cdktf/provider-aws/lib/dms-endpoint";
import { resourceRule } from "../rule";

export const DMS3 = resourceRule(DmsEndpoint, {
  id: "DMS3",
  cause: "The DMS target endpoint does not verify TLS.",
  explanation:
    "Use ssl_mode verify-full (or verify-ca) with the RDS CA certificate: DMS has no 'require' mode for MySQL, so anything else is plaintext.",
  checkov: "CKV2_AWS_49",
  check: (e) => {
    if (e.endpointTypeInput !== "target") return null;
    return e.sslModeInput === "verify-full" || e.sslModeInput === "verify-ca"
      ? undefined
      : `ssl_mode is ${JSON.stringify(e.sslModeInput ?? "none")}`;
  },
});
