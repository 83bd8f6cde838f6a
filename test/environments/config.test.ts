import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, EnvironmentConfig, findConfigProblems } from "../../environments/config";
import { parseCidr } from "../../constructs/network-props";
import { dev } from "../../environments/dev";
import { prod } from "../../environments/prod";
import { staging } from "../../environments/staging";
import { loadEnvironment, selectedEnvironments } from "../../environments/load";

const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), "envs-"));
const load = (name: string, env: NodeJS.ProcessEnv = {}, dir = emptyDir) => loadEnvironment(name, { env, dir });

/** A copy of dev with one field replaced through a JSON override, as a user would write it. */
function withOverride(override: unknown): () => EnvironmentConfig {
  return () => load("dev", { DMS_MIGRATE_DEV_CONFIG: JSON.stringify(override) });
}

describe("environment defaults", () => {
  test.each([
    ["dev", dev],
    ["staging", staging],
    ["prod", prod],
  ])("%s is valid", (_name, config) => {
    expect(findConfigProblems(config)).toEqual([]);
  });

  test("prod is multi-AZ with deletion protection, final snapshot and longer retention; dev is free-tier", () => {
    expect(prod.target).toMatchObject({ multiAz: true, deletionProtection: true, finalSnapshot: true });
    expect(prod.target.backupRetentionDays).toBeGreaterThan(dev.target.backupRetentionDays);
    expect(prod.monitoring.logRetentionDays).toBeGreaterThan(dev.monitoring.logRetentionDays);
    expect(dev.target).toMatchObject({ instanceClass: "db.t3.micro", allocatedStorageGiB: 20, multiAz: false });
    expect(dev.network).toMatchObject({ natGateway: false, secretsManagerEndpoint: false });
    expect(dev.monitoring.cdcLatencyThresholdSeconds).toBe(5);
    expect(dev.dms).toMatchObject({ instanceClass: "dms.t3.micro", subnet: "public", multiAz: false });
    expect(dev.dms).not.toHaveProperty("createAccountRoles"); // the account stack owns the roles
    expect(prod.dms).toMatchObject({ subnet: "private", multiAz: true });
    expect(staging.dms.subnet).toBe("private");
  });

  test("cutover: every environment points at the source; staging and prod have the fallback, dev does not", () => {
    for (const c of [dev, staging, prod]) {
      expect(c.cutover).toMatchObject({ activeDatabase: "source", recordLabel: "mysql", recordTtlSeconds: 30 });
      expect(c.cutover.existingZoneId).toBe("");
      expect(c.cutover.assessment.resultExpirationDays).toBe(90);
    }
    expect([dev, staging, prod].map((c) => c.cutover.zoneName)).toEqual([
      "dmsm-dev.internal",
      "dmsm-staging.internal",
      "dmsm-prod.internal",
    ]);
    expect([dev, staging, prod].map((c) => c.cutover.fallback)).toEqual([false, true, true]);
    // dev goes with `cdktf destroy dev`; elsewhere a destroy stops at a bucket holding the go/no-go's evidence
    expect([dev, staging, prod].map((c) => c.cutover.assessment.forceDestroy)).toEqual([true, false, false]);
  });

  test("cutover overrides: the flip, an existing zone, the fallback with an existing source verified by its CA", () => {
    const c = load("dev", {
      DMS_MIGRATE_DEV_CONFIG: JSON.stringify({
        cutover: {
          activeDatabase: "target",
          fallback: true,
          existingZoneId: "Z0123456789ABCDEFGHIJ",
          zoneName: "db.corp.internal",
        },
        source: {
          mode: "existing",
          existing: {
            host: "10.1.2.3",
            secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf",
            caCertificatePem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
          },
        },
      }),
    });
    expect(c.cutover).toMatchObject({
      activeDatabase: "target",
      fallback: true,
      existingZoneId: "Z0123456789ABCDEFGHIJ",
    });
    // a name prefix of 22 characters still leaves the fallback task id within 31
    expect(() =>
      load("dev", {
        DMS_MIGRATE_DEV_CONFIG: JSON.stringify({ cutover: { fallback: true }, namePrefix: "dmsm-a-rather-long-nam" }),
      }),
    ).not.toThrow();
  });

  test("no environment enrolls RDS in Extended Support", () => {
    for (const c of [dev, staging, prod]) {
      expect(c.target.engineLifecycleSupport).toBe("open-source-rds-extended-support-disabled");
      expect(c.target.engineVersion).toMatch(/^8\.4/);
    }
  });
});

describe("bad configuration stops synth with the field and the value", () => {
  test.each([
    [
      { network: { vpcCidr: "10.0.0/16" } },
      /network\.vpcCidr must be an IPv4 network in CIDR notation .*got "10\.0\.0\/16"/,
    ],
    [{ network: { vpcCidr: "10.0.0.1/16" } }, /network\.vpcCidr must be an IPv4 network .*got "10\.0\.0\.1\/16"/],
    [
      { network: { vpcCidr: "10.0.0.0/8" } },
      /network\.vpcCidr must have a prefix between \/16 and \/24, got "10\.0\.0\.0\/8"/,
    ],
    [{ network: { azCount: 1 } }, /network\.azCount must be an integer between 2 and 3, got 1/],
    [
      { target: { instanceClass: "db.t9.enormous" } },
      /target\.instanceClass must be a known RDS instance class .*got "db\.t9\.enormous"/,
    ],
    [
      { source: { ec2: { instanceType: "t3.gigantic" } } },
      /source\.ec2\.instanceType must be a known EC2 instance type .*got "t3\.gigantic"/,
    ],
    [
      { monitoring: { cdcLatencyThresholdSeconds: 0 } },
      /monitoring\.cdcLatencyThresholdSeconds must be a number > 0 .*got 0/,
    ],
    [
      { monitoring: { cdcLatencyThresholdSeconds: -3 } },
      /monitoring\.cdcLatencyThresholdSeconds must be a number > 0 .*got -3/,
    ],
    [
      { monitoring: { alertEmails: ["ops@example.com", "not-an-email"] } },
      /monitoring\.alertEmails\[1\] must be an e-mail address, got "not-an-email"/,
    ],
    [{ monitoring: { logRetentionDays: 10 } }, /monitoring\.logRetentionDays must be one of .*got 10/],
    [{ target: { engineVersion: "8.0.39" } }, /target\.engineVersion 8\.0 is past standard support.*got "8\.0\.39"/],
    [{ target: { engineVersion: "5.7" } }, /target\.engineVersion must be an RDS for MySQL version .*got "5\.7"/],
    [{ target: { backupRetentionDays: 0 } }, /target\.backupRetentionDays must be an integer between 1 and 35, got 0/],
    [{ target: { logExports: ["error", "everything"] } }, /target\.logExports\[1\] must be one of .*got "everything"/],
    [
      { source: { ec2: { binlogRetentionHours: 6 } } },
      /source\.ec2\.binlogRetentionHours must be an integer between 24 and 720, got 6/,
    ],
    [
      { source: { ec2: { subnet: "private" } } },
      /source\.ec2\.subnet may be "private" only with network\.natGateway true.*got "private"/,
    ],
    [{ source: { mode: "existing" } }, /source\.existing must be set when source\.mode is "existing"/],
    [
      { source: { mode: "existing", existing: { host: "db.corp", port: 3306, secretArn: "nope" } } },
      /source\.existing\.secretArn must be a Secrets Manager secret ARN, got "nope"/,
    ],
    [{ migration: { tables: ["ecommerce"] } }, /migration\.tables\[0\] must be "schema\.table" .*got "ecommerce"/],
    [
      { migration: { tables: ["%.orders"] } },
      /migration\.tables\[0\] must name its schema without a wildcard.*got "%\.orders"/,
    ],
    [
      { migration: { tables: ["!ecommerce.tmp"] } },
      /migration\.tables must include at least one "schema\.table" selection/,
    ],
    [{ region: "mars-1" }, /region must be an AWS region such as us-east-1, got "mars-1"/],
    [{ namePrefix: "Bad_Prefix" }, /namePrefix must be 3-24 lowercase letters.*got "Bad_Prefix"/],
    [
      { state: { bucket: "Not_A_Bucket" } },
      /state\.bucket must be a valid S3 bucket name \(or "" until the state-backend stack has made one\), got "Not_A_Bucket"/,
    ],
    [{ network: { mode: "existing" } }, /network\.existing must be set when network\.mode is "existing"/],
    [{ target: { multiAz: "yes" } }, /target\.multiAz must be true or false, got "yes"/],
    [
      { monitoring: { alertTopicEncryption: "aws/sns" } },
      /monitoring\.alertTopicEncryption must be one of "cmk", "none", got "aws\/sns"/,
    ],
    [
      { monitoring: { fullLoadStallMinutes: 12 } },
      /monitoring\.fullLoadStallMinutes must be a multiple of 5 \(0 turns the alarm off\), got 12/,
    ],
    [
      { monitoring: { alertHttpsEndpoints: ["http://x.example"] } },
      /monitoring\.alertHttpsEndpoints\[0\] must be an https:\/\/ URL, got "http:\/\/x\.example"/,
    ],
    [
      { monitoring: { cpuThresholdPercent: 0 } },
      /monitoring\.cpuThresholdPercent must be an integer between 1 and 100, got 0/,
    ],
    [
      { dms: { instanceClass: "dms.x1.huge" } },
      /dms\.instanceClass must be a DMS replication instance class such as dms\.t3\.micro, got "dms\.x1\.huge"/,
    ],
    [{ dms: { serverless: { maxCapacityUnits: 500 } } }, /dms\.serverless\.maxCapacityUnits must be one of .*got 500/],
    [
      { dms: { serverless: { minCapacityUnits: 32, maxCapacityUnits: 16 } } },
      /dms\.serverless\.minCapacityUnits must not exceed dms\.serverless\.maxCapacityUnits \(16\), got 32/,
    ],
    [
      { dms: { engineVersion: "3.4.7" } },
      /dms\.engineVersion is not usable: DMS engine "3\.4\.7" is not in the engine table .* use 3\.6\.1, got "3\.4\.7"/,
    ],
    [
      { dms: { engineVersion: "3.5.3" } },
      /dms\.engineVersion is not usable: DMS engine 3\.5\.3 predates MySQL 8\.4 support/,
    ],
    [{ dms: { createAccountRoles: true } }, /dms\.createAccountRoles is not a configuration field/],
    [
      { dms: { mode: "serverless" } },
      /dms\.subnet must be "private" for DMS Serverless \(it has no public IP[^\n]*got "public"\n\s+- network\.secretsManagerEndpoint must be true with dms\.mode "serverless"[^\n]*got false\n\s+- dms\.mode "serverless" is billed per DCU-hour with no free tier: set policy\.freeTierGuard false/,
    ],
    [
      { dms: { subnet: "private" } },
      /dms\.subnet may be "private" only with network\.secretsManagerEndpoint or network\.natGateway.*got "private"/,
    ],
    [{ dms: { targetTablePrepMode: "WIPE" } }, /dms\.targetTablePrepMode must be one of .*got "WIPE"/],
    [{ dms: { maxFullLoadSubTasks: 0 } }, /dms\.maxFullLoadSubTasks must be an integer between 1 and 49, got 0/],
    [{ dms: { mode: "lambda" } }, /dms\.mode must be one of "instance", "serverless", got "lambda"/],
    [
      {
        migration: { transformations: [{ target: "table", objectLocator: "ecommerce", action: "rename", value: "x" }] },
      },
      /migration\.transformations\[0\]\.objectLocator must name a table \(schema\.table\), got "ecommerce"/,
    ],
    [
      { migration: { transformations: [{ target: "table", objectLocator: "ecommerce.orders", action: "shred" }] } },
      /migration\.transformations\[0\]\.action must be one of .*got "shred"/,
    ],
    [
      {
        source: {
          mode: "existing",
          existing: {
            host: "db.corp",
            port: 3306,
            secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf",
            caCertificatePem: "nope",
          },
        },
      },
      /source\.existing\.caCertificatePem must be a PEM certificate, got "nope"/,
    ],
    [{ cutover: { activeDatabase: "rds" } }, /cutover\.activeDatabase must be one of "source", "target", got "rds"/],
    [
      { cutover: { zoneName: "Corp.Internal" } },
      /cutover\.zoneName must be a lowercase domain name of two or more labels .*got "Corp\.Internal"/,
    ],
    [{ cutover: { zoneName: "internal" } }, /cutover\.zoneName must be a lowercase domain name .*got "internal"/],
    [
      { cutover: { existingZoneId: "zone-1" } },
      /cutover\.existingZoneId must be a Route 53 hosted zone id such as "Z0123456789ABCDEFGHIJ", or "" to create the zone, got "zone-1"/,
    ],
    [{ cutover: { recordLabel: "my.sql" } }, /cutover\.recordLabel must be one DNS label .*got "my\.sql"/],
    [
      { cutover: { recordLabel: "source" } },
      /cutover\.recordLabel must not be "source" \(the A record of a source given by IPv4 address\), got "source"/,
    ],
    [
      { cutover: { recordTtlSeconds: 86400 } },
      /cutover\.recordTtlSeconds must be an integer between 1 and 3600, got 86400/,
    ],
    [{ cutover: { fallback: "yes" } }, /cutover\.fallback must be true or false, got "yes"/],
    [
      { cutover: { assessment: { resultExpirationDays: 0 } } },
      /cutover\.assessment\.resultExpirationDays must be an integer between 1 and 3650, got 0/,
    ],
    [
      { cutover: { assessment: { forceDestroy: "no" } } },
      /cutover\.assessment\.forceDestroy must be true or false, got "no"/,
    ],
    [{ cutover: { zone: "x.internal" } }, /cutover\.zone is not a configuration field/],
    [
      {
        cutover: { fallback: true },
        dms: { mode: "serverless", subnet: "private" },
        network: { secretsManagerEndpoint: true },
        policy: { freeTierGuard: false },
      },
      /cutover\.fallback needs dms\.mode "instance" \(the stopped fallback task shares the replication instance[^\n]*set cutover\.fallback false with dms\.mode "serverless", got true/,
    ],
    [
      {
        cutover: { fallback: true },
        migration: {
          transformations: [{ target: "table", objectLocator: "ecommerce.orders", action: "rename", value: "sales" }],
        },
      },
      /cutover\.fallback needs migration\.transformations empty: the fallback carries rows back under the target's names, and 1 transformation\(s\) cannot be undone on the way back, got true/,
    ],
    [
      {
        cutover: { fallback: true },
        source: {
          mode: "existing",
          existing: { host: "db.corp", secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf" },
        },
      },
      /cutover\.fallback needs source\.existing\.caCertificatePem with source\.mode "existing" \(the fallback writes your server back, over TLS verify-full only\): set it, or set cutover\.fallback false, got true/,
    ],
    [
      { cutover: { fallback: true }, namePrefix: "dmsm-a-rather-long-name1" },
      /namePrefix must be at most 22 characters with cutover\.fallback true \(the fallback task id "dmsm-a-rather-long-name1-fallback" is a DMS resource identifier of at most 31\), got "dmsm-a-rather-long-name1"/,
    ],
  ])("throws for %j", (override, message) => {
    expect(withOverride(override)).toThrow(ConfigError);
    expect(withOverride(override)).toThrow(message);
  });

  test("throws on a misspelled field instead of ignoring it", () => {
    expect(withOverride({ target: { multiAZ: true } })).toThrow(
      /target\.multiAZ is not a configuration field \(check the spelling\), got true/,
    );
  });

  test("reports every problem at once", () => {
    try {
      withOverride({ network: { azCount: 9 }, monitoring: { cdcLatencyThresholdSeconds: 0 } })();
      throw new Error("expected a ConfigError");
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems).toHaveLength(2);
      expect((e as Error).message).toMatch(/^invalid configuration for environment "dev":/);
    }
  });

  test("throws on an unknown environment name", () => {
    expect(() => load("qa")).toThrow(/environment name must be one of dev, staging, prod, got "qa"/);
    expect(() => selectedEnvironments({ DMS_MIGRATE_ENVIRONMENTS: "dev,qa" })).toThrow(/got "qa"/);
  });

  test("throws on invalid JSON in the override variable", () => {
    expect(() => load("dev", { DMS_MIGRATE_DEV_CONFIG: "{nope" })).toThrow(/DMS_MIGRATE_DEV_CONFIG is not valid JSON/);
  });
});

describe("overrides without code changes", () => {
  test("environments/<env>.local.json is merged over the defaults", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "envs-"));
    fs.writeFileSync(
      path.join(dir, "staging.local.json"),
      JSON.stringify({ monitoring: { alertEmails: ["dba@example.com"] }, target: { instanceClass: "db.r7g.large" } }),
    );
    const c = load("staging", {}, dir);
    expect(c.monitoring.alertEmails).toEqual(["dba@example.com"]);
    expect(c.target.instanceClass).toBe("db.r7g.large");
    expect(c.target.deletionProtection).toBe(true); // untouched fields keep the environment's values
  });

  test("a malformed local file names the file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "envs-"));
    fs.writeFileSync(path.join(dir, "dev.local.json"), "{ not json");
    expect(() => load("dev", {}, dir)).toThrow(/dev\.local\.json is not valid JSON/);
  });

  test("alert e-mails, state bucket and region from environment variables", () => {
    const c = load("prod", {
      DMS_MIGRATE_PROD_ALERT_EMAILS: "a@example.com, b@example.org",
      DMS_MIGRATE_STATE_BUCKET: "acme-tfstate",
      DMS_MIGRATE_STATE_REGION: "eu-west-1",
    });
    expect(c.monitoring.alertEmails).toEqual(["a@example.com", "b@example.org"]);
    expect(c.state).toEqual({ bucket: "acme-tfstate", region: "eu-west-1" });
  });

  describe('an empty or whitespace-only variable counts as not set (CI passes an unset repository variable as "")', () => {
    function configuredDir(): string {
      // GIVEN a deployment whose local file configures alert e-mails
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "envs-"));
      fs.writeFileSync(
        path.join(dir, "prod.local.json"),
        JSON.stringify({ monitoring: { alertEmails: ["oncall@example.com"] } }),
      );
      return dir;
    }

    test.each(["", "   ", " \t\n", ",", " , ,"])(
      "DMS_MIGRATE_<ENV>_ALERT_EMAILS=%j keeps the configured e-mails",
      (value) => {
        // WHEN the workflow passes an unset variable
        const c = load("prod", { DMS_MIGRATE_PROD_ALERT_EMAILS: value }, configuredDir());
        // THEN the configured list stays
        expect(c.monitoring.alertEmails).toEqual(["oncall@example.com"]);
      },
    );

    test("a non-empty DMS_MIGRATE_<ENV>_ALERT_EMAILS still replaces the configured e-mails", () => {
      const c = load("prod", { DMS_MIGRATE_PROD_ALERT_EMAILS: " dba@example.org " }, configuredDir());
      expect(c.monitoring.alertEmails).toEqual(["dba@example.org"]);
    });

    test.each(["", "  ", "\n"])("DMS_MIGRATE_<ENV>_CONFIG=%j is ignored, not parsed as JSON", (value) => {
      const c = load("prod", { DMS_MIGRATE_PROD_CONFIG: value }, configuredDir());
      expect(c.monitoring.alertEmails).toEqual(["oncall@example.com"]);
      expect(c.target).toEqual(prod.target);
    });

    test.each(["", "   "])(
      "DMS_MIGRATE_STATE_BUCKET and DMS_MIGRATE_STATE_REGION set to %j keep the configured state",
      (value) => {
        const c = load("prod", { DMS_MIGRATE_STATE_BUCKET: value, DMS_MIGRATE_STATE_REGION: value });
        expect(c.state).toEqual(prod.state);
      },
    );

    test("set values are trimmed", () => {
      const c = load("prod", { DMS_MIGRATE_STATE_BUCKET: " acme-tfstate ", DMS_MIGRATE_STATE_REGION: "eu-west-1\n" });
      expect(c.state).toEqual({ bucket: "acme-tfstate", region: "eu-west-1" });
    });
  });

  test("an existing source and network from JSON", () => {
    const c = load("prod", {
      DMS_MIGRATE_PROD_CONFIG: JSON.stringify({
        source: {
          mode: "existing",
          existing: {
            host: "10.1.2.3",
            port: 3307,
            secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:onprem-AbCdEf",
            // prod's fallback writes the source back: over TLS verify-full only
            caCertificatePem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
          },
        },
      }),
    });
    expect(c.source.mode).toBe("existing");
    expect(c.source.existing?.port).toBe(3307);
  });

  test("DMS_MIGRATE_ENVIRONMENTS selects environments", () => {
    expect(selectedEnvironments({})).toEqual(["dev", "staging", "prod"]);
    expect(selectedEnvironments({ DMS_MIGRATE_ENVIRONMENTS: "prod, dev" })).toEqual(["prod", "dev"]);
  });

  test("parseCidr rejects out-of-range octets", () => {
    expect(parseCidr("10.300.0.0/16")).toBeUndefined();
    expect(parseCidr("10.20.0.0/16")).toEqual({ base: 0x0a140000, prefix: 16 });
  });
});
