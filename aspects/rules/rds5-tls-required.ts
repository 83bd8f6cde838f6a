import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { blocks, literal, resourceRule } from "../rule";

export const RDS5 = resourceRule(DbParameterGroup, {
  id: "RDS5",
  cause: "The MySQL parameter group does not require TLS.",
  explanation: "Set require_secure_transport = 1 so no client, DMS included, can connect in plaintext.",
  check: (pg) => {
    const family = literal(pg.familyInput);
    if (!family || !family.startsWith("mysql")) return null;
    const p = blocks<{ name: string; value: string }>(pg.parameterInput).find(
      (x) => x.name === "require_secure_transport",
    );
    return p && ["1", "ON", "on"].includes(String(p.value))
      ? undefined
      : `require_secure_transport is ${p ? JSON.stringify(p.value) : "not set"}`;
  },
});
