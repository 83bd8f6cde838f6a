import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Construct } from "constructs";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Network } from "../../constructs/network";
import { ISourceMysql, SourceMysql, SourceMysqlProps } from "../../constructs/source-mysql";
import { Ec2SourceSettings } from "../../constructs/source-mysql-props";
import { renderSourceUserData } from "../../constructs/source-mysql-user-data";
import { TargetRds } from "../../constructs/target-rds";
import { sourceServerSettings } from "../../model/source-sql";
import { dataSources, only, resources, synthJson, TerraformJson } from "../helpers";

function build(
  scope: Construct,
  ec2: Ec2SourceSettings & Pick<SourceMysqlProps, "fallbackWriteGrants"> = {},
  withTarget = true,
): SourceMysql {
  const network = new Network(scope, "network", { namePrefix: "t" });
  if (withTarget) new TargetRds(scope, "target", { namePrefix: "t", network });
  return new SourceMysql(scope, "source", { ...ec2, namePrefix: "t", network });
}

function policyStatements(json: TerraformJson, idPart: string) {
  const entry = Object.entries(json.data?.aws_iam_policy_document ?? {}).find(([k]) => k.includes(idPart));
  if (!entry) throw new Error(`no policy document ${idPart}`);
  return entry[1].statement as { sid?: string; actions: string[]; resources?: string[]; principals?: unknown[] }[];
}

describe("SourceMysql (ec2)", () => {
  const json = synthJson((s) => build(s));
  const instance = only(json, "aws_instance");

  test("Amazon Linux 2023 from the SSM public parameter, free-tier type, standard CPU credits", () => {
    const [ami] = dataSources(json, "aws_ssm_parameter");
    expect(ami.name).toBe("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64");
    expect(instance.ami).toMatch(/data\.aws_ssm_parameter\..*\.insecure_value/);
    expect(instance).toMatchObject({ instance_type: "t3.micro", credit_specification: { cpu_credits: "standard" } });
  });

  test("IMDSv2 required, encrypted gp3 root volume, no SSH key, SSM instance profile", () => {
    expect(instance).toMatchObject({
      metadata_options: { http_tokens: "required", http_endpoint: "enabled", http_put_response_hop_limit: 1 },
      root_block_device: { encrypted: true, volume_type: "gp3" },
    });
    expect(instance).not.toHaveProperty("key_name");
    expect(instance.iam_instance_profile).toMatch(/aws_iam_instance_profile/);
    expect(only(json, "aws_iam_role_policy_attachment").policy_arn).toMatch(
      /:iam::aws:policy\/AmazonSSMManagedInstanceCore$/,
    );
    expect(policyStatements(json, "assume-role")[0]).toMatchObject({
      actions: ["sts:AssumeRole"],
      principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }],
    });
  });

  test("the role may read and write its own DMS secret and no other: never the target's master secret", () => {
    const st = policyStatements(json, "secrets-policy");
    expect(st).toEqual([
      {
        sid: "SourceDmsSecret",
        actions: ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret"],
        resources: [expect.stringMatching(/source_dms-secret.*\.arn/)],
      },
    ]);
    expect(JSON.stringify(json)).not.toMatch(/master_user_secret\[0\]\.secret_arn[^"]*"[^}]*sid/);
  });

  test("no inbound rule at all until DMS is allowed; egress HTTPS only, and the target accepts nothing from it", () => {
    expect(resources(json, "aws_vpc_security_group_ingress_rule")).toHaveLength(0);
    const egress = resources(json, "aws_vpc_security_group_egress_rule");
    expect(egress.map((e) => [e.from_port, e.cidr_ipv4 ?? "sg"]).sort()).toEqual([[443, "0.0.0.0/0"]]);
    expect(egress.every((e) => String(e.description).length >= 10)).toBe(true);
  });

  test("user data carries no password and no secret value; the instance waits for its secrets", () => {
    const ud = String(instance.user_data);
    expect(ud).toMatch(/binlog_format = ROW/);
    expect(ud).toMatch(/binlog_row_image = FULL/);
    expect(ud).toMatch(/aws secretsmanager put-secret-value/);
    expect(ud).not.toMatch(/IDENTIFIED BY '[A-Za-z0-9]/); // passwords only via @dms_password / printf at run time
    expect(Buffer.byteLength(ud)).toBeLessThan(16 * 1024); // EC2's user data limit
    expect(instance.depends_on).toEqual([expect.stringMatching(/source_dms-secret/)]);
    expect(resources(json, "aws_secretsmanager_secret_version")).toHaveLength(0);
    expect(instance.lifecycle).toEqual({ ignore_changes: ["ami", "user_data"] });
  });

  test("the stable name's CNAME target: the instance's private DNS name (its host stays the private IP)", () => {
    let src!: SourceMysql;
    synthJson((s) => {
      src = build(s);
    });
    expect(src.dnsName).toMatch(/^\$\{TfToken\[TOKEN\.\d+\]\}$/);
    expect(src.dnsName).not.toBe(src.host);
  });

  test("the DMS user gets write grants from the bootstrap only with the fallback replication", () => {
    // GIVEN the default THEN read-only grants; WITH fallbackWriteGrants THEN what a DMS target needs, too
    const ud = String(instance.user_data);
    expect(ud).toMatch(/^GRANT SELECT, CREATE TEMPORARY TABLES ON `ecommerce`\.\* TO 'dms_source'@'%';$/m);
    expect(ud).not.toMatch(/GRANT [^;]*INSERT|awsdms_control/);
    const withFallback = String(
      only(
        synthJson((s) => build(s, { fallbackWriteGrants: true })),
        "aws_instance",
      ).user_data,
    );
    expect(withFallback).toMatch(
      /^GRANT ALTER, CREATE, DROP, INDEX, INSERT, UPDATE, DELETE, SELECT, CREATE TEMPORARY TABLES ON `ecommerce`\.\* TO 'dms_source'@'%';$/m,
    );
    expect(withFallback).toMatch(/^GRANT ALL PRIVILEGES ON `awsdms_control`\.\* TO 'dms_source'@'%';$/m);
  });

  test("user data has no stray Terraform template sequences", () => {
    const ud = String(instance.user_data);
    const templates = ud.match(/[$%]\{[^}]*\}/g) ?? [];
    expect(templates.every((t) => /^\$\{(data\.aws_region|aws_secretsmanager_secret|aws_db_instance)\./.test(t))).toBe(
      true,
    );
  });

  test("arm64 AMI for a Graviton instance type", () => {
    const arm = synthJson((s) => build(s, { instanceType: "t4g.small" }, false));
    expect(dataSources(arm, "aws_ssm_parameter")[0].name).toBe(
      "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
    );
  });

  test("allowMysqlFrom opens 3306 to the named group", () => {
    const j = synthJson((s) => {
      const src = build(s, {}, false);
      const owner = new Construct(s, "dms");
      src.allowMysqlFrom(new SecurityGroup(owner, "sg", {}), "DMS replication instance reads the binlog");
    });
    expect(only(j, "aws_vpc_security_group_ingress_rule")).toMatchObject({
      from_port: 3306,
      to_port: 3306,
      referenced_security_group_id: expect.stringMatching(/dms_sg/),
      description: "DMS replication instance reads the binlog",
    });
  });

  test("throws on an unknown instance type", () => {
    expect(() => synthJson((s) => build(s, { instanceType: "z9.mega" }))).toThrow(
      /instanceType must be a known EC2 instance type such as t3.micro, got "z9.mega"/,
    );
  });

  test("throws on a root volume under 8 GiB", () => {
    expect(() => synthJson((s) => build(s, { rootVolumeSizeGiB: 4 }))).toThrow(
      /rootVolumeSizeGiB must be an integer between 8 and 16384, got 4/,
    );
  });
});

describe("SourceMysql (existing)", () => {
  test("creates nothing and exposes the host, port and secret", () => {
    let src!: ISourceMysql;
    const json = synthJson((s) => {
      src = SourceMysql.fromExisting(s, "source", {
        host: "mysql.corp.example",
        secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:dms-src-AbCdEf",
      });
    });
    expect(json.resource ?? {}).toEqual({});
    expect([src.mode, src.host, src.port, src.dmsSecretArn]).toEqual([
      "existing",
      "mysql.corp.example",
      3306,
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:dms-src-AbCdEf",
    ]);
    expect(src.dnsName).toBe("mysql.corp.example");
  });

  test("given by IPv4 address it has no DNS name (the stable name then needs an A record for it)", () => {
    let src!: ISourceMysql;
    synthJson((s) => {
      src = SourceMysql.fromExisting(s, "source", {
        host: "10.60.1.25",
        secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:dms-src-AbCdEf",
      });
    });
    expect([src.host, src.dnsName]).toEqual(["10.60.1.25", undefined]);
  });

  test("checks its settings at synth: every problem, field and value", () => {
    expect(() =>
      synthJson((s) => SourceMysql.fromExisting(s, "source", { host: "bad host", port: 0, secretArn: "arn" })),
    ).toThrow(
      'host must be a host name or IPv4 address, got "bad host"\nport must be an integer between 1 and 65535, got 0\nsecretArn must be a Secrets Manager secret ARN, got "arn"',
    );
  });

  test("opens no firewall: its firewall is yours", () => {
    synthJson((s) => {
      const src = SourceMysql.fromExisting(s, "source", {
        host: "db.corp",
        secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:dms-src-AbCdEf",
      });
      const network = new Network(s, "network", { namePrefix: "t" });
      const peer = new TargetRds(s, "target", { namePrefix: "t", network }).securityGroup;
      expect(src.allowMysqlFrom(peer, "x")).toBeUndefined();
      expect(src.securityGroup).toBeUndefined();
    });
  });
});

describe("source user data script", () => {
  const script = renderSourceUserData({
    region: "us-east-1",
    mysqlRepoRpmUrl: "https://dev.mysql.com/get/mysql84-community-release-el9-1.noarch.rpm",
    serverSettings: sourceServerSettings(),
    migratedSchemas: ["ecommerce"],
    sampleSchema: "ecommerce",
    sampleData: true,
    sourceDmsSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:src-AbCdEf",
  });
  const bootstrap = script.split("<<'DMS_MIGRATE_BOOTSTRAP'\n")[1].split("\nDMS_MIGRATE_BOOTSTRAP\n")[0];

  function shellcheck(text: string): string {
    const which = spawnSync("shellcheck", ["--version"]);
    if (which.status !== 0) throw new Error("shellcheck is not installed: apt-get install shellcheck (.ci/run does)");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ud-"));
    const file = path.join(dir, "script.sh");
    fs.writeFileSync(file, text);
    try {
      const r = spawnSync("shellcheck", ["-s", "bash", "-f", "gcc", file], { encoding: "utf8" });
      return r.stdout + r.stderr;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  test("the outer user data and the bootstrap it installs pass shellcheck", () => {
    expect(shellcheck(script)).toBe("");
    expect(shellcheck(bootstrap)).toBe("");
  });

  test("bash parses both", () => {
    expect(() => execFileSync("bash", ["-n"], { input: script })).not.toThrow();
    expect(() => execFileSync("bash", ["-n"], { input: bootstrap })).not.toThrow();
  });

  test("shellcheck would catch a broken script (the check can fail)", () => {
    expect(shellcheck("#!/bin/bash\nrm -rf $DIR/*\n")).toMatch(/SC2115|SC2086/);
  });

  test("passwords are generated on the instance and written to Secrets Manager from files, never argv", () => {
    expect(bootstrap).toMatch(/new_password\(\) \{\n {2}local a b\n {2}a=\$\(openssl rand -hex 16\)/);
    // exclusive option files: neither HOME nor ~/.my.cnf can swap the credentials
    expect(bootstrap).not.toMatch(/defaults-extra-file/);
    expect(bootstrap.match(/\bmysql --defaults-file=/g)?.length).toBeGreaterThanOrEqual(2);
    expect(bootstrap).toMatch(/--secret-string "file:\/\/\$RUN_DIR\/source-secret\.json"/);
    expect(bootstrap).toMatch(/jq -n [^\n]*--rawfile p "\$RUN_DIR\/dms-password"/); // not --arg: argv
    expect(bootstrap).not.toMatch(/mysql [^\n]*-p"?\$/); // no password on a mysql command line
    // the run folder is made by the script itself: /run is empty after a reboot
    expect(bootstrap).toMatch(
      /install -d -m 0700 "\$RUN_DIR"\ncleanup\(\) \{ find "\$RUN_DIR" -mindepth 1 -delete; \}\ntrap cleanup EXIT/,
    );
    // the instance never connects to the target
    expect(script).not.toMatch(/TARGET_|rds\.amazonaws|ssl-mode/);
  });

  test("throws when a heredoc delimiter would be cut short by the content", () => {
    expect(() =>
      renderSourceUserData({
        region: "r",
        mysqlRepoRpmUrl: "u",
        serverSettings: [{ name: "x", value: "y\nDMS_MIGRATE_CNF", reason: "r" }],
        migratedSchemas: [],
        sampleSchema: "s",
        sampleData: false,
        sourceDmsSecretArn: "a",
      }),
    ).toThrow(/heredoc delimiter DMS_MIGRATE_CNF occurs in \/etc\/my.cnf.d\/dms-migrate.cnf/);
  });
});
