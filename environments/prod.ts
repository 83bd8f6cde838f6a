import { EnvironmentConfig } from "./config";
import { baseConfig } from "./base";

const base = baseConfig("prod");

/** prod: multi-AZ, deletion protection, final snapshot, 3 AZs, longer backup and log retention. */
export const prod: EnvironmentConfig = {
  ...base,
  network: { ...base.network, vpcCidr: "10.30.0.0/16", azCount: 3, secretsManagerEndpoint: true },
  source: {
    ...base.source,
    ec2: {
      ...base.source.ec2,
      instanceType: "t3.small",
      serverId: 3,
      binlogRetentionHours: 168,
      detailedMonitoring: true,
    },
  },
  target: {
    ...base.target,
    instanceClass: "db.m7g.large",
    storageType: "gp3",
    allocatedStorageGiB: 100,
    maxAllocatedStorageGiB: 500,
    multiAz: true,
    deletionProtection: true,
    backupRetentionDays: 14,
    finalSnapshot: true,
    performanceInsights: true,
    logExports: ["error", "slowquery"],
  },
  dms: { ...base.dms, instanceClass: "dms.r5.large", allocatedStorageGiB: 200, multiAz: true, maxFullLoadSubTasks: 16 },
  monitoring: { ...base.monitoring, logRetentionDays: 90 },
  // The way back after cutover: a stopped task on the existing instance costs nothing until it is needed.
  cutover: { ...base.cutover, activeDatabase: "source", fallback: true },
  policy: { ...base.policy, production: true },
};
