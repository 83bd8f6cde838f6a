import { EnvironmentConfig } from "./config";
import { baseConfig } from "./base";

const base = baseConfig("dev");

/**
 * dev: the free-tier footprint. Single AZ, micro classes, no NAT gateway, no interface endpoints. The DMS instance
 * sits in a public subnet with a public IP for egress to Secrets Manager only (no inbound rule): the free
 * alternative to a ~$7/month endpoint (decision D1). dev creates the account-wide DMS roles.
 */
export const dev: EnvironmentConfig = {
  ...base,
  dms: { ...base.dms, subnet: "public" },
};
