import { Construct } from "constructs";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Network } from "../../constructs/network";
import { TargetRds, TargetRdsProps } from "../../constructs/target-rds";
import { CLOUDWATCH_LOG_RETENTION_DAYS } from "../../model/checks";
import { only, resources, synthJson } from "../helpers";

function build(scope: Construct, props: Partial<TargetRdsProps> = {}): TargetRds {
  const network = new Network(scope, "network", { namePrefix: "t" });
  return new TargetRds(scope, "target", { namePrefix: "t", network, ...props });
}

describe("TargetRds", () => {
  test("is MySQL 8.4, encrypted, private, RDS-managed password, Extended Support off", () => {
    const json = synthJson((s) => build(s));
    const db = only(json, "aws_db_instance");
    expect(db).toMatchObject({
      engine: "mysql",
      engine_version: "8.4",
      engine_lifecycle_support: "open-source-rds-extended-support-disabled",
      instance_class: "db.t3.micro",
      allocated_storage: 20,
      storage_type: "gp2",
      storage_encrypted: true,
      publicly_accessible: false,
      manage_master_user_password: true,
      multi_az: false,
      deletion_protection: true,
      copy_tags_to_snapshot: true,
      auto_minor_version_upgrade: true,
      port: 3306,
    });
    expect(db).not.toHaveProperty("password");
    expect(db).not.toHaveProperty("password_wo");
    expect(db.db_subnet_group_name).toMatch(/aws_db_subnet_group/);
    const subnetGroup = only(json, "aws_db_subnet_group");
    expect(JSON.stringify(subnetGroup.subnet_ids)).toMatch(/private-0.*private-1/);
    expect(JSON.stringify(subnetGroup.subnet_ids)).not.toMatch(/public/);
  });

  test("parameter group requires TLS and carries the DMS target settings, family matching the version", () => {
    const json = synthJson((s) => build(s));
    const pg = only(json, "aws_db_parameter_group");
    expect(pg.family).toBe("mysql8.4");
    const params = Object.fromEntries(
      (pg.parameter as { name: string; value: string }[]).map((p) => [p.name, p.value]),
    );
    expect(params).toMatchObject({
      require_secure_transport: "1",
      local_infile: "1",
      net_read_timeout: "300",
      net_write_timeout: "300",
      binlog_row_image: "FULL",
      slow_query_log: "1",
      general_log: "0",
    });
  });

  test("parameter group trusts non-SUPER trigger creators (RDS master has no SUPER; binlog is on), other parameters unchanged", () => {
    const json = synthJson((s) => build(s));
    const parameters = only(json, "aws_db_parameter_group").parameter as {
      name: string;
      value: string;
      apply_method: string;
    }[];
    // Without it, `dmsctl schema --finalize` fails on RDS with ERROR 1419 (test/tools/schema-binlog.test.ts).
    expect(parameters.filter((p) => p.name === "log_bin_trust_function_creators")).toEqual([
      { name: "log_bin_trust_function_creators", value: "1", apply_method: "immediate" },
    ]);
    expect(parameters.filter((p) => p.name !== "log_bin_trust_function_creators")).toEqual([
      { name: "binlog_row_image", value: "FULL", apply_method: "immediate" },
      { name: "character_set_server", value: "utf8mb4", apply_method: "immediate" },
      { name: "general_log", value: "0", apply_method: "immediate" },
      { name: "innodb_lock_wait_timeout", value: "300", apply_method: "immediate" },
      { name: "local_infile", value: "1", apply_method: "immediate" },
      { name: "log_output", value: "FILE", apply_method: "immediate" },
      { name: "long_query_time", value: "2", apply_method: "immediate" },
      { name: "max_allowed_packet", value: "67108864", apply_method: "immediate" },
      { name: "net_read_timeout", value: "300", apply_method: "immediate" },
      { name: "net_write_timeout", value: "300", apply_method: "immediate" },
      { name: "require_secure_transport", value: "1", apply_method: "immediate" },
      { name: "slow_query_log", value: "1", apply_method: "immediate" },
      { name: "wait_timeout", value: "28800", apply_method: "immediate" },
    ]);
  });

  test("a CDC source for the fallback pins binlog_format ROW (RDS's 8.0 default group logs MIXED); otherwise left alone", () => {
    const binlog = (props: Partial<TargetRdsProps>) =>
      (
        only(
          synthJson((s) => build(s, props)),
          "aws_db_parameter_group",
        ).parameter as { name: string }[]
      ).filter((p) => p.name.startsWith("binlog_"));
    // GIVEN the fallback reads the target's binlog THEN its format is ROW and row images FULL, both immediate
    expect(binlog({ cdcSource: true })).toEqual([
      { name: "binlog_format", value: "ROW", apply_method: "immediate" },
      { name: "binlog_row_image", value: "FULL", apply_method: "immediate" },
    ]);
    expect(binlog({})).toEqual([{ name: "binlog_row_image", value: "FULL", apply_method: "immediate" }]);
  });

  test("prod settings: multi-AZ, final snapshot, autoscaling storage", () => {
    const json = synthJson((s) =>
      build(s, {
        multiAz: true,
        finalSnapshot: true,
        maxAllocatedStorageGiB: 200,
        allocatedStorageGiB: 100,
        backupRetentionDays: 14,
      }),
    );
    expect(only(json, "aws_db_instance")).toMatchObject({
      multi_az: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "t-target-final",
      max_allocated_storage: 200,
      backup_retention_period: 14,
    });
  });

  test("security group has no rule until a peer is allowed, then MySQL from that group only", () => {
    const json = synthJson((s) => {
      const t = build(s);
      const peerOwner = new Construct(s, "dms");
      const peer = new SecurityGroup(peerOwner, "sg", { name: "peer" });
      t.allowMysqlFrom(peer, "DMS replication instance writes the target");
    });
    const rule = only(json, "aws_vpc_security_group_ingress_rule");
    expect(rule).toMatchObject({ from_port: 3306, to_port: 3306, ip_protocol: "tcp" });
    expect(rule.referenced_security_group_id).toMatch(/aws_security_group\.dms_sg/);
    expect(rule).not.toHaveProperty("cidr_ipv4");
    expect(resources(json, "aws_vpc_security_group_egress_rule")).toHaveLength(0);
  });

  test("the DMS secret is created without a value (the bootstrap writes it)", () => {
    const json = synthJson((s) => build(s));
    expect(resources(json, "aws_secretsmanager_secret")).toHaveLength(1);
    expect(resources(json, "aws_secretsmanager_secret_version")).toHaveLength(0);
  });

  describe("log groups of the exported logs, created before the instance so they expire", () => {
    test("one log group per exported log, named as RDS names it, with 14 days by default", () => {
      const json = synthJson((s) => build(s));
      const db = only(json, "aws_db_instance");
      expect(db.enabled_cloudwatch_logs_exports).toEqual(["error", "slowquery"]);
      expect(resources(json, "aws_cloudwatch_log_group")).toEqual([
        { name: "/aws/rds/instance/t-target/error", retention_in_days: 14 },
        { name: "/aws/rds/instance/t-target/slowquery", retention_in_days: 14 },
      ]);
      expect(db.identifier).toBe("t-target"); // the <identifier> in the group names
    });

    test("the DB instance depends on every log group (RDS would create them first, never expiring)", () => {
      const json = synthJson((s) => build(s, { logExports: ["error", "general", "slowquery"] }));
      const addresses = Object.keys(json.resource?.aws_cloudwatch_log_group ?? {}).map(
        (k) => `aws_cloudwatch_log_group.${k}`,
      );
      expect(addresses).toHaveLength(3);
      expect(only(json, "aws_db_instance").depends_on).toEqual(addresses);
    });

    test("logRetentionDays sets the retention of every group", () => {
      const json = synthJson((s) => build(s, { logRetentionDays: 90, logExports: ["error"] }));
      expect(resources(json, "aws_cloudwatch_log_group")).toEqual([
        { name: "/aws/rds/instance/t-target/error", retention_in_days: 90 },
      ]);
    });

    test("no export, no log group and no dependency", () => {
      const json = synthJson((s) => build(s, { logExports: [] }));
      expect(resources(json, "aws_cloudwatch_log_group")).toHaveLength(0);
      expect(only(json, "aws_db_instance")).not.toHaveProperty("depends_on");
    });

    test.each([0, 15, 2.5, -1])("throws on logRetentionDays %p (not a CloudWatch retention value)", (days) => {
      expect(() => synthJson((s) => build(s, { logRetentionDays: days }))).toThrow(
        new RegExp(
          `logRetentionDays must be one of 1, 3, 5, 7, 14, 30, .*, 3653, got ${String(days).replace(".", "\\.")}$`,
        ),
      );
    });

    test("accepts every CloudWatch retention value (one list, model/checks.ts, for constructs and configuration)", () => {
      for (const days of CLOUDWATCH_LOG_RETENTION_DAYS)
        expect(() => synthJson((s) => build(s, { logRetentionDays: days, logExports: ["error"] }))).not.toThrow();
    });
  });

  describe("preventDestroy: the target holds the migrated data", () => {
    test("is on by default: lifecycle.prevent_destroy on the DB instance", () => {
      const json = synthJson((s) => build(s));
      expect(only(json, "aws_db_instance").lifecycle).toEqual({ prevent_destroy: true });
    });

    test("preventDestroy: false lets an environment be destroyed on purpose", () => {
      const json = synthJson((s) => build(s, { preventDestroy: false }));
      expect(only(json, "aws_db_instance").lifecycle).toEqual({ prevent_destroy: false });
    });

    test("protects only the DB instance (the parameter group keeps create_before_destroy, log groups stay free)", () => {
      const json = synthJson((s) => build(s));
      expect(only(json, "aws_db_parameter_group").lifecycle).toEqual({ create_before_destroy: true });
      for (const g of resources(json, "aws_cloudwatch_log_group")) expect(g).not.toHaveProperty("lifecycle");
    });
  });

  test("throws on MySQL 8.0 without Extended Support", () => {
    expect(() => synthJson((s) => build(s, { engineVersion: "8.0.40" }))).toThrow(
      /engineVersion 8\.0 is past standard support: use 8\.4, or set engineLifecycleSupport to "open-source-rds-extended-support" and accept its cost, got "8\.0\.40"/,
    );
  });

  test("throws on an unknown instance class", () => {
    expect(() => synthJson((s) => build(s, { instanceClass: "db.q9.huge" }))).toThrow(
      /instanceClass must be .* got "db.q9.huge"/,
    );
  });

  test("throws on an unknown engine version", () => {
    expect(() => synthJson((s) => build(s, { engineVersion: "5.7" }))).toThrow(
      /engineVersion must be an RDS for MySQL version 8\.0 or 8\.4\[\.minor\], got "5\.7"/,
    );
  });

  test("throws when the storage ceiling is not above the allocation", () => {
    expect(() => synthJson((s) => build(s, { allocatedStorageGiB: 50, maxAllocatedStorageGiB: 40 }))).toThrow(
      /maxAllocatedStorageGiB must be 0 \(off\) or an integer from 51 \(above allocatedStorageGiB\) to 65536, got 40/,
    );
  });

  test("throws when backup retention is 0", () => {
    expect(() => synthJson((s) => build(s, { backupRetentionDays: 0 }))).toThrow(
      /backupRetentionDays must be an integer between 1 and 35, got 0/,
    );
  });

  test("throws on a vague rule description", () => {
    expect(() =>
      synthJson((s) => {
        const t = build(s);
        t.allowMysqlFrom(new SecurityGroup(s, "peer", {}), "dms");
      }),
    ).toThrow(/description must say who connects and why, got "dms"/);
  });
});
