import { EnvironmentConfig } from "./config";
import { baseConfig } from "./base";

const base = baseConfig("dev");

/**
 * dev: the free-tier footprint. Single AZ, micro classes, no NAT gateway, no interface endpoints. The DMS instance
 * sits in a public subnet with a public IP for egress to Secrets Manager only (no inbound rule): the free
 * alternative to a ~$7/month endpoint (decision D1).
 */
export const dev: EnvironmentConfig = {
  ...base,
  // A playground: `cdktf destroy dev` must work, so no prevent_destroy on the target (staging and prod keep it).
  // Changes apply at once, not in the maintenance window.
  target: { ...base.target, preventDestroy: false, applyImmediately: true },
  dms: { ...base.dms, subnet: "public", applyImmediately: true },
  // An unencrypted alert topic saves the $1/month customer-managed key (decision D3); switch with
  // {"monitoring": {"alertTopicEncryption": "cmk"}}. Lower thresholds for micro instances; no composite alarm
  // (dev keeps close to the 10 free alarms).
  monitoring: {
    ...base.monitoring,
    alertTopicName: "DMSAlertTopic",
    alertTopicEncryption: "none",
    freeableMemoryThresholdMiB: 64,
    rdsConnectionsThreshold: 40,
    compositeAlarm: false,
  },
  // No fallback replication: dev is a sandbox, so its source DMS user stays read-only and it adds no alarm (dev is
  // already past the 10 free ones). Its assessment bucket goes with `cdktf destroy dev`, results and all.
  cutover: {
    ...base.cutover,
    activeDatabase: "source",
    fallback: false,
    assessment: { ...base.cutover.assessment, forceDestroy: true },
  },
  policy: {
    ...base.policy,
    freeTierGuard: true,
    suppressions: [
      {
        ruleId: "DMS1",
        path: "dms",
        reason:
          "D1: dev gives the DMS instance a public IP for egress to Secrets Manager only (no inbound rule); a VPC endpoint costs ~$7/month",
      },
      {
        ruleId: "FT6",
        path: "dms",
        reason:
          "D1: the DMS instance's public IP is its egress to Secrets Manager (~$3.65/month; the endpoint it replaces costs ~$7.30)",
      },
      {
        ruleId: "FT6",
        path: "source",
        reason:
          "The EC2 source stand-in installs MySQL from the internet without a NAT gateway (~$3.65/month; a NAT gateway costs ~$32)",
      },
      {
        ruleId: "SNS1",
        path: "alerts/topic",
        reason:
          "D3: dev's alert topic is unencrypted to save the $1/month customer-managed key; staging and prod use one",
      },
    ],
  },
};
