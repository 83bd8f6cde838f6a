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
  // An unencrypted alert topic saves the $1/month customer-managed key (decision D3); switch with
  // {"monitoring": {"alertTopicEncryption": "cmk"}}. Micro instances get lower thresholds.
  monitoring: { ...base.monitoring, alertTopicEncryption: "none", freeableMemoryThresholdMiB: 64, rdsConnectionsThreshold: 40 },
  policy: {
    ...base.policy,
    suppressions: [
      {
        ruleId: "DMS1",
        path: "dms/instance",
        reason:
          "D1: dev gives the DMS instance a public IP for egress to Secrets Manager only (no inbound rule); a VPC endpoint costs ~$7/month",
      },
      {
        ruleId: "SNS1",
        path: "alerts/topic",
        reason: "D3: dev's alert topic is unencrypted to save the $1/month customer-managed key; staging and prod use one",
      },
    ],
  },
};
