import { EnvironmentConfig } from "./config";
import { baseConfig } from "./base";

const base = baseConfig("staging");

/** staging: production's shape at a smaller size. Private DMS instance behind a Secrets Manager endpoint. */
export const staging: EnvironmentConfig = {
  ...base,
  network: { ...base.network, vpcCidr: "10.20.0.0/16", secretsManagerEndpoint: true },
  source: { ...base.source, ec2: { ...base.source.ec2, serverId: 2 } },
  target: {
    ...base.target,
    instanceClass: "db.t4g.small",
    storageType: "gp3",
    maxAllocatedStorageGiB: 100,
    deletionProtection: true,
    backupRetentionDays: 7,
    finalSnapshot: true,
  },
  dms: { ...base.dms, instanceClass: "dms.t3.medium", allocatedStorageGiB: 100 },
  monitoring: { ...base.monitoring, logRetentionDays: 30 },
  // The rollback is rehearsed here (`dmsctl cutover --rehearse`): the fallback task exists, stopped, at no cost.
  cutover: { ...base.cutover, activeDatabase: "source", fallback: true },
};
