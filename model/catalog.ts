/**
 * Typed constants for the AWS names this project writes: engine versions, instance class families, ports.
 * Constructs and environment validation read them from here, so a name is looked up once and never guessed twice.
 */
export { MYSQL_PORT } from "./names";

/** RDS engine name for MySQL. */
export const RDS_ENGINE_MYSQL = "mysql";

/**
 * RDS for MySQL major version of the target. 8.4 is the LTS line in standard support; 8.0 left standard support on
 * 2026-07-31 and a new 8.0 instance is billed Extended Support.
 */
export const RDS_MYSQL_DEFAULT_ENGINE_VERSION = "8.4";

/** Parameter group family for each RDS MySQL major version. */
export const RDS_MYSQL_PARAMETER_GROUP_FAMILY: Readonly<Record<string, string>> = {
  "8.0": "mysql8.0",
  "8.4": "mysql8.4",
};

/** `engine_lifecycle_support` values of `aws_db_instance`. */
export const RDS_LIFECYCLE_EXTENDED_SUPPORT_DISABLED = "open-source-rds-extended-support-disabled";
export const RDS_LIFECYCLE_EXTENDED_SUPPORT = "open-source-rds-extended-support";
export type RdsEngineLifecycleSupport =
  typeof RDS_LIFECYCLE_EXTENDED_SUPPORT_DISABLED | typeof RDS_LIFECYCLE_EXTENDED_SUPPORT;

/** CloudWatch Logs exports RDS for MySQL offers. */
export const RDS_MYSQL_LOG_EXPORTS = ["audit", "error", "general", "iam-db-auth-error", "slowquery"] as const;
export type RdsMysqlLogExport = (typeof RDS_MYSQL_LOG_EXPORTS)[number];

/** RDS storage types accepted for MySQL. */
export const RDS_STORAGE_TYPES = ["gp2", "gp3", "io1", "io2"] as const;
export type RdsStorageType = (typeof RDS_STORAGE_TYPES)[number];

/** SSM public parameters that always name the newest Amazon Linux 2023 AMI. */
export const AL2023_AMI_SSM_PARAMETER = {
  x86_64: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
  arm64: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
} as const;

/** AWS managed policy that lets SSM Session Manager and Run Command reach an instance (no SSH keys). */
export const SSM_MANAGED_INSTANCE_CORE_POLICY = "AmazonSSMManagedInstanceCore";

/** MySQL Community release package for EL9-compatible systems (Amazon Linux 2023), from the MySQL Yum repository. */
export const MYSQL_COMMUNITY_REPO_RPM: Readonly<Record<SourceMysqlMajorVersion, string>> = {
  "8.4": "https://dev.mysql.com/get/mysql84-community-release-el9-2.noarch.rpm",
  "8.0": "https://dev.mysql.com/get/mysql80-community-release-el9-5.noarch.rpm",
};
/** MySQL major versions the EC2 source can install. 8.0 plays the "legacy on-premises" server. */
export const SOURCE_MYSQL_MAJOR_VERSIONS = ["8.4", "8.0"] as const;
export type SourceMysqlMajorVersion = (typeof SOURCE_MYSQL_MAJOR_VERSIONS)[number];

const SIZES = "(nano|micro|small|medium|large|xlarge|[1-9][0-9]?xlarge|metal)";

/** EC2 instance types this project accepts for the source (current general purpose / compute / memory families). */
export const EC2_INSTANCE_TYPE_PATTERN = new RegExp(
  `^(t2|t3|t3a|t4g|c7i-flex|m7i-flex|m5|m5a|m6a|m6g|m6i|m7a|m7g|m7i|m8g|c5|c6a|c6g|c6i|c7a|c7g|c7i|c8g|r5|r5a|r6a|r6g|r6i|r7a|r7g|r7i|r8g)\\.${SIZES}$`,
);

/** RDS for MySQL DB instance classes (standard, memory-optimized and burstable families). */
export const RDS_INSTANCE_CLASS_PATTERN = new RegExp(
  `^db\\.(t3|t4g|m5|m5d|m6g|m6gd|m6i|m6id|m7g|m7gd|m7i|m8g|r5|r5b|r5d|r6g|r6gd|r6i|r6id|r7g|r7gd|r7i|r8g|x2g|x2iedn)\\.${SIZES}$`,
);

/** True for Graviton (arm64) instance families such as t4g, m7g, c8g. */
export function isArmInstanceType(instanceType: string): boolean {
  return /^[a-z]+[0-9]+[a-z]*g[a-z]*\./.test(instanceType.replace(/^db\./, ""));
}

/** Free-tier eligible classes (12-month offers and the credit-based free plan alike). */
export const FREE_TIER = {
  /** 12-month offer: t2.micro (t3.micro where t2 is not offered); free plan (accounts since 2025-07-15): these. */
  ec2InstanceTypes: ["t2.micro", "t3.micro", "t3.small", "t4g.micro", "t4g.small", "c7i-flex.large", "m7i-flex.large"],
  ec2MaxRootVolumeGiB: 30,
  rdsInstanceClasses: ["db.t3.micro", "db.t4g.micro"],
  rdsMaxStorageGiB: 20,
  dmsInstanceClasses: ["dms.t2.micro", "dms.t3.micro"],
  dmsMaxStorageGiB: 50,
} as const;
