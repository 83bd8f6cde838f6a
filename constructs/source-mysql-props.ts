/**
 * The settings of the MySQL source, in its two modes: the EC2 stand-in (`new SourceMysql(...)`) and a server that
 * already exists (`SourceMysql.fromExisting(...)`). Each with its defaults and its validator, read by the constructs
 * (constructs/source-mysql.ts) and by the environment configuration (`source.ec2`, `source.existing`). Provider-free.
 */
import { Checks } from "../model/checks";
import {
  EC2_INSTANCE_TYPE_PATTERN,
  MYSQL_PORT,
  SOURCE_MYSQL_MAJOR_VERSIONS,
  SourceMysqlMajorVersion,
} from "../model/catalog";
import { MIN_BINLOG_RETENTION_HOURS } from "../model/source-sql";

/** The EC2 stand-in for an on-premises MySQL. */
export interface Ec2SourceSettings {
  /** @default "t3.micro" (free tier) */
  readonly instanceType?: string;
  /** Encrypted gp3 root volume size (GiB). @default 20 */
  readonly rootVolumeSizeGiB?: number;
  /** MySQL Community major version installed from the MySQL Yum repository. @default "8.4" */
  readonly mysqlMajorVersion?: SourceMysqlMajorVersion;
  /**
   * Subnet tier: `public` reaches package repositories through the internet gateway (no inbound rule is ever
   * opened); `private` needs a NAT gateway.
   * @default "public"
   */
  readonly subnet?: "public" | "private";
  /** MySQL `server_id`. @default 1 */
  readonly serverId?: number;
  /** Hours of binary logs kept (>= 24: DMS reads them back after an interruption). @default 72 */
  readonly binlogRetentionHours?: number;
  /** Load the small sample data set into the sample schema on first boot. @default true */
  readonly sampleData?: boolean;
  /** EC2 detailed monitoring (1-minute metrics, ~$2.10/month): faster status-check alarms. @default false */
  readonly detailedMonitoring?: boolean;
}

export type ResolvedEc2SourceSettings = Required<Ec2SourceSettings>;

export const EC2_SOURCE_DEFAULTS: ResolvedEc2SourceSettings = {
  instanceType: "t3.micro",
  rootVolumeSizeGiB: 20,
  mysqlMajorVersion: "8.4",
  subnet: "public",
  serverId: 1,
  binlogRetentionHours: 72,
  sampleData: true,
  detailedMonitoring: false,
};

export function resolveEc2SourceSettings(s: Ec2SourceSettings): ResolvedEc2SourceSettings {
  const out: Record<string, unknown> = { ...EC2_SOURCE_DEFAULTS };
  for (const [k, v] of Object.entries(s)) if (v !== undefined && k in EC2_SOURCE_DEFAULTS) out[k] = v;
  return out as ResolvedEc2SourceSettings;
}

/** Every problem of resolved EC2 source settings, fields named after `prefix` ("source.ec2." in the config). */
export function validateEc2SourceSettings(s: ResolvedEc2SourceSettings, prefix = ""): string[] {
  const c = new Checks(prefix);
  c.matches(
    "instanceType",
    s.instanceType,
    EC2_INSTANCE_TYPE_PATTERN,
    "must be a known EC2 instance type such as t3.micro",
  );
  c.int("rootVolumeSizeGiB", s.rootVolumeSizeGiB, 8, 16384);
  c.oneOf("mysqlMajorVersion", s.mysqlMajorVersion, SOURCE_MYSQL_MAJOR_VERSIONS);
  c.oneOf("subnet", s.subnet, ["public", "private"]);
  c.int("serverId", s.serverId, 1, 4294967295);
  c.int("binlogRetentionHours", s.binlogRetentionHours, MIN_BINLOG_RETENTION_HOURS, 720);
  c.bool("sampleData", s.sampleData);
  c.bool("detailedMonitoring", s.detailedMonitoring);
  return c.problems;
}

/** A MySQL server that already exists (on premises, peered, another account): nothing is created for it. */
export interface ExistingSourceSettings {
  /** DNS name or IPv4 address DMS connects to. */
  readonly host: string;
  /** @default 3306 */
  readonly port?: number;
  /**
   * ARN of a Secrets Manager secret in the DMS format (`username`, `password`, `host`, `port`) for the DMS source
   * user. Created and rotated outside this stack.
   */
  readonly secretArn: string;
  /** ARN of the KMS key that encrypts that secret, when it is a customer-managed key. */
  readonly secretKmsKeyArn?: string;
  /** PEM of the CA that signed the server's certificate: DMS then connects with TLS verify-full. */
  readonly caCertificatePem?: string;
  /** The server's time zone when it is not UTC (DMS ServerTimezone), e.g. "Europe/Berlin". */
  readonly serverTimezone?: string;
}

const HOST_PATTERN =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const SECRET_ARN_PATTERN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const KMS_ARN_PATTERN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-f0-9-]+$/;
const PEM_PATTERN = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;

/** Every problem of an existing source's settings, fields named after `prefix` ("source.existing." in the config). */
export function validateExistingSourceSettings(x: ExistingSourceSettings, prefix = ""): string[] {
  const c = new Checks(prefix);
  c.matches("host", x.host, HOST_PATTERN, "must be a host name or IPv4 address");
  c.int("port", x.port ?? MYSQL_PORT, 1, 65535);
  c.matches("secretArn", x.secretArn, SECRET_ARN_PATTERN, "must be a Secrets Manager secret ARN");
  if (x.secretKmsKeyArn !== undefined)
    c.matches("secretKmsKeyArn", x.secretKmsKeyArn, KMS_ARN_PATTERN, "must be a KMS key ARN");
  if (
    x.caCertificatePem !== undefined &&
    (typeof x.caCertificatePem !== "string" || !PEM_PATTERN.test(x.caCertificatePem))
  ) {
    c.bad("caCertificatePem", "must be a PEM certificate", String(x.caCertificatePem).slice(0, 40));
  }
  if (x.serverTimezone !== undefined)
    c.matches(
      "serverTimezone",
      x.serverTimezone,
      /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/,
      'must be an IANA time zone such as "Europe/Berlin"',
    );
  return c.problems;
}
