import { Construct } from "constructs";
import { DatabaseName, DatabaseNameProps } from "../../constructs/database-name";
import { isIpv4Address } from "../../constructs/database-name-props";
import { Network } from "../../constructs/network";
import { ExistingSourceSettings } from "../../constructs/source-mysql-props";
import { SourceMysql } from "../../constructs/source-mysql";
import { TargetRds } from "../../constructs/target-rds";
import { only, resources, synthJson, TerraformJson } from "../helpers";

const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:src-AbCdEf";

/** A database name over an EC2 source (or an existing one) and an RDS target. */
function build(props: Partial<DatabaseNameProps> = {}, existing?: ExistingSourceSettings): TerraformJson {
  return synthJson((scope: Construct) => {
    const network = new Network(scope, "network", { namePrefix: "t" });
    const target = new TargetRds(scope, "target", { namePrefix: "t", network });
    const source = existing
      ? SourceMysql.fromExisting(scope, "source", existing)
      : new SourceMysql(scope, "source", { namePrefix: "t", network });
    new DatabaseName(scope, "name", { namePrefix: "t", network, source, target, zoneName: "t.internal", ...props });
  });
}

const cname = (json: TerraformJson) =>
  resources(json, "aws_route53_record").find((r) => r.type === "CNAME") as Record<string, unknown>;

describe("DatabaseName", () => {
  test("a private hosted zone in the VPC and one CNAME mysql.<zone>, TTL 30 s, at the EC2 source's private DNS name", () => {
    // GIVEN the defaults (activeDatabase "source") over an EC2 source
    const json = build();
    // THEN the zone is private to the VPC, and the record names the instance (a CNAME needs a name, not its IP)
    expect(only(json, "aws_route53_zone")).toMatchObject({
      name: "t.internal",
      vpc: [{ vpc_id: expect.stringMatching(/^\$\{aws_vpc\.network_vpc_[A-Z0-9]+\.id\}$/) }],
    });
    expect(only(json, "aws_route53_record")).toEqual({
      zone_id: expect.stringMatching(/^\$\{aws_route53_zone\.name_zone_[A-Z0-9]+\.zone_id\}$/),
      name: "mysql.t.internal",
      type: "CNAME",
      ttl: 30,
      records: [expect.stringMatching(/^\$\{aws_instance\.source_instance_[A-Z0-9]+\.private_dns\}$/)],
    });
  });

  test("the flip: activeDatabase target points the same CNAME at the RDS endpoint address, nothing else changes", () => {
    const before = cname(build());
    const after = cname(build({ activeDatabase: "target" }));
    expect(after.records).toEqual([
      expect.stringMatching(/^\$\{aws_db_instance\.target_instance_[A-Z0-9]+\.address\}$/),
    ]);
    // The plan of the flip shows one attribute: the record's value
    expect({ ...after, records: undefined }).toEqual({ ...before, records: undefined });
    expect(after.records).not.toEqual(before.records);
  });

  test("an existing source named by host name: the CNAME points at that name", () => {
    const json = build({}, { host: "mysql.corp.example.com", secretArn: SECRET });
    expect(only(json, "aws_route53_record")).toMatchObject({ type: "CNAME", records: ["mysql.corp.example.com"] });
  });

  test("an existing source given by IPv4 address: an A record source.<zone> names it, the CNAME points at that", () => {
    // GIVEN an address (a CNAME cannot point at one)
    const json = build({}, { host: "10.60.1.25", secretArn: SECRET });
    const records = resources(json, "aws_route53_record").sort((a, b) => String(a.type).localeCompare(String(b.type)));
    expect(records.map((r) => [r.type, r.name, r.records])).toEqual([
      ["A", "source.t.internal", ["10.60.1.25"]],
      ["CNAME", "mysql.t.internal", ["source.t.internal"]],
    ]);
    // and the flip still changes the CNAME's value only: the A record stays for the way back
    const flipped = resources(
      build({ activeDatabase: "target" }, { host: "10.60.1.25", secretArn: SECRET }),
      "aws_route53_record",
    ).sort((a, b) => String(a.type).localeCompare(String(b.type)));
    expect(flipped.map((r) => r.type)).toEqual(["A", "CNAME"]);
    expect(flipped[1].records).toEqual([expect.stringMatching(/aws_db_instance\..*\.address/)]);
  });

  test("an existing zone: no zone is created; the record goes into the zone named by id", () => {
    const json = build({
      existingZoneId: "Z0123456789ABCDEFGHIJ",
      zoneName: "db.corp.internal",
      recordLabel: "orders-db",
    });
    expect(resources(json, "aws_route53_zone")).toHaveLength(0);
    expect(only(json, "aws_route53_record")).toMatchObject({
      zone_id: "Z0123456789ABCDEFGHIJ",
      name: "orders-db.db.corp.internal",
      ttl: 30,
    });
  });

  test("isIpv4Address tells addresses from names", () => {
    expect(["10.0.0.1", "192.168.255.254"].map(isIpv4Address)).toEqual([true, true]);
    expect(["10.0.0", "256.1.1.1", "db.corp", "10.0.0.1.example"].map(isIpv4Address)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  test.each([
    [{ activeDatabase: "rds" as "target" }, /activeDatabase must be one of "source", "target", got "rds"/],
    [
      { zoneName: "Corp.Internal" },
      /zoneName must be a lowercase domain name of two or more labels .*got "Corp\.Internal"/,
    ],
    [{ existingZoneId: "zone-1" }, /existingZoneId must be a Route 53 hosted zone id .*got "zone-1"/],
    [{ recordLabel: "my_db" }, /recordLabel must be one DNS label .*got "my_db"/],
    [{ recordLabel: "source" }, /recordLabel must not be "source" .*got "source"/],
    [{ recordTtlSeconds: 0 }, /recordTtlSeconds must be an integer between 1 and 3600, got 0/],
    [{ recordTtlSeconds: 7200 }, /recordTtlSeconds must be an integer between 1 and 3600, got 7200/],
  ])("throws for %j", (props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});
