import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Construct, IConstruct } from "constructs";
import { Aspects, TerraformStack, Testing } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DbInstance, DbInstanceConfig } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DmsEndpoint, DmsEndpointConfig } from "@cdktf/provider-aws/lib/dms-endpoint";
import { DmsReplicationConfig } from "@cdktf/provider-aws/lib/dms-replication-config";
import { DmsReplicationInstance, DmsReplicationInstanceConfig } from "@cdktf/provider-aws/lib/dms-replication-instance";
import { DmsReplicationTask } from "@cdktf/provider-aws/lib/dms-replication-task";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Instance, InstanceConfig } from "@cdktf/provider-aws/lib/instance";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { ALL_RULES, PolicyPack, REQUIRED_TAGS, suppressRule } from "../../aspects/pack";
import { PolicyRule, RuleContext } from "../../aspects/rule";
import { TaggingAspect } from "../../aspects/tagging";
import { StateBackend } from "../../constructs/state-backend";
import { buildTaskSettings } from "../../model/dms-task-settings";

const goodDb: DbInstanceConfig = {
  instanceClass: "db.t3.micro",
  engine: "mysql",
  engineLifecycleSupport: "open-source-rds-extended-support-disabled",
  allocatedStorage: 20,
  storageType: "gp2",
  storageEncrypted: true,
  publiclyAccessible: false,
  backupRetentionPeriod: 7,
  manageMasterUserPassword: true,
  autoMinorVersionUpgrade: true,
  copyTagsToSnapshot: true,
  deletionProtection: true,
  multiAz: true,
  enabledCloudwatchLogsExports: ["error"],
};
const goodInstance: InstanceConfig = {
  ami: "ami-12345678",
  instanceType: "t3.micro",
  iamInstanceProfile: "profile",
  metadataOptions: { httpTokens: "required" },
  rootBlockDevice: { encrypted: true, volumeSize: 20 },
};
const goodDmsInstance: DmsReplicationInstanceConfig = {
  replicationInstanceId: "x",
  replicationInstanceClass: "dms.t3.micro",
  allocatedStorage: 50,
  publiclyAccessible: false,
  multiAz: true,
};
const goodTarget: DmsEndpointConfig = {
  endpointId: "t",
  endpointType: "target",
  engineName: "mysql",
  secretsManagerArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x",
  secretsManagerAccessRoleArn: "arn:aws:iam::123456789012:role/r",
  sslMode: "verify-full",
};
const settings = (patch: (s: ReturnType<typeof buildTaskSettings>) => void) => {
  const s = buildTaskSettings();
  patch(s);
  return JSON.stringify(s);
};
const task = (s: Construct, id: string, taskSettings: string) =>
  new DmsReplicationTask(s, id, {
    replicationTaskId: id,
    migrationType: "full-load-and-cdc",
    replicationInstanceArn: "arn",
    sourceEndpointArn: "arn",
    targetEndpointArn: "arn",
    tableMappings: "{}",
    replicationTaskSettings: taskSettings,
  });
const ingress = (
  s: Construct,
  id: string,
  extra: Partial<ConstructorParameters<typeof VpcSecurityGroupIngressRule>[2]>,
) =>
  new VpcSecurityGroupIngressRule(s, id, {
    securityGroupId: "sg-1",
    ipProtocol: "tcp",
    fromPort: 3306,
    toPort: 3306,
    description: "who and why",
    ...extra,
  });

/** For every rule: fixtures that must fire and fixtures that must not. Each returns the construct to evaluate. */
const FIXTURES: Record<
  string,
  {
    context?: Partial<RuleContext>;
    noncompliant: ((s: Construct) => IConstruct)[];
    compliant: ((s: Construct) => IConstruct)[];
    notApplicable?: ((s: Construct) => IConstruct)[];
  }
> = {
  RDS1: {
    noncompliant: [(s) => new DbInstance(s, "db", { ...goodDb, storageEncrypted: false })],
    compliant: [(s) => new DbInstance(s, "db", goodDb)],
  },
  RDS2: {
    noncompliant: [(s) => new DbInstance(s, "db", { ...goodDb, publiclyAccessible: true })],
    compliant: [(s) => new DbInstance(s, "db", goodDb)],
  },
  RDS3: {
    noncompliant: [(s) => new DbInstance(s, "db", { ...goodDb, backupRetentionPeriod: 0 })],
    compliant: [(s) => new DbInstance(s, "db", goodDb)],
  },
  RDS4: {
    noncompliant: [
      (s) => new DbInstance(s, "db", { ...goodDb, manageMasterUserPassword: undefined, password: "hunter2hunter2" }),
      (s) => new DbInstance(s, "db", { ...goodDb, manageMasterUserPassword: false }),
    ],
    compliant: [(s) => new DbInstance(s, "db", goodDb)],
  },
  RDS5: {
    noncompliant: [
      (s) => new DbParameterGroup(s, "pg", { family: "mysql8.4", parameter: [{ name: "local_infile", value: "1" }] }),
      (s) =>
        new DbParameterGroup(s, "pg", {
          family: "mysql8.4",
          parameter: [{ name: "require_secure_transport", value: "0" }],
        }),
    ],
    compliant: [
      (s) =>
        new DbParameterGroup(s, "pg", {
          family: "mysql8.4",
          parameter: [{ name: "require_secure_transport", value: "1" }],
        }),
    ],
  },
  RDS6: {
    noncompliant: [(s) => new DbInstance(s, "db", { ...goodDb, autoMinorVersionUpgrade: false })],
    compliant: [(s) => new DbInstance(s, "db", goodDb)],
  },
  RDS7: {
    noncompliant: [(s) => new DbInstance(s, "db", { ...goodDb, copyTagsToSnapshot: false })],
    compliant: [(s) => new DbInstance(s, "db", goodDb)],
  },
  RDS8: {
    context: { production: true },
    noncompliant: [(s) => new DbInstance(s, "db", { ...goodDb, deletionProtection: false })],
    compliant: [(s) => new DbInstance(s, "db", goodDb)],
  },
  RDS9: {
    context: { production: true },
    noncompliant: [(s) => new DbInstance(s, "db", { ...goodDb, multiAz: false })],
    compliant: [(s) => new DbInstance(s, "db", goodDb)],
  },
  RDS10: {
    noncompliant: [(s) => new DbInstance(s, "db", { ...goodDb, enabledCloudwatchLogsExports: [] })],
    compliant: [(s) => new DbInstance(s, "db", goodDb)],
  },
  RDS11: {
    noncompliant: [(s) => new DbInstance(s, "db", { ...goodDb, engineLifecycleSupport: undefined })],
    compliant: [(s) => new DbInstance(s, "db", goodDb)],
  },
  EC21: {
    noncompliant: [
      (s) => new Instance(s, "i", { ...goodInstance, metadataOptions: { httpTokens: "optional" } }),
      (s) => new Instance(s, "i", { ...goodInstance, metadataOptions: undefined }),
    ],
    compliant: [(s) => new Instance(s, "i", goodInstance)],
  },
  EC22: {
    noncompliant: [(s) => new Instance(s, "i", { ...goodInstance, rootBlockDevice: { encrypted: false } })],
    compliant: [(s) => new Instance(s, "i", goodInstance)],
  },
  EC23: {
    noncompliant: [(s) => new Instance(s, "i", { ...goodInstance, iamInstanceProfile: undefined })],
    compliant: [(s) => new Instance(s, "i", goodInstance)],
  },
  EC24: {
    noncompliant: [(s) => new Instance(s, "i", { ...goodInstance, keyName: "my-key" })],
    compliant: [(s) => new Instance(s, "i", goodInstance)],
  },
  EC25: {
    noncompliant: [
      (s) => ingress(s, "r", { fromPort: 22, toPort: 22, cidrIpv4: "10.0.0.0/8" }),
      (s) =>
        new SecurityGroup(s, "sg", {
          ingress: [
            { fromPort: 0, toPort: 65535, protocol: "tcp", cidrBlocks: ["192.168.0.0/16"], description: "all" },
          ],
        }),
    ],
    compliant: [(s) => ingress(s, "r", { fromPort: 22, toPort: 22, referencedSecurityGroupId: "sg-2" })],
  },
  SG1: {
    noncompliant: [
      (s) => ingress(s, "r", { fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }),
      (s) =>
        new SecurityGroupRule(s, "r", {
          type: "ingress",
          fromPort: 80,
          toPort: 80,
          protocol: "tcp",
          ipv6CidrBlocks: ["::/0"],
          securityGroupId: "sg-1",
        }),
    ],
    compliant: [(s) => ingress(s, "r", { referencedSecurityGroupId: "sg-2" })],
    notApplicable: [
      (s) =>
        new SecurityGroupRule(s, "r", {
          type: "egress",
          fromPort: 443,
          toPort: 443,
          protocol: "tcp",
          cidrBlocks: ["0.0.0.0/0"],
          securityGroupId: "sg-1",
          description: "https out",
        }),
    ],
  },
  SG2: {
    noncompliant: [
      (s) => ingress(s, "r", { description: undefined, referencedSecurityGroupId: "sg-2" }),
      (s) =>
        new SecurityGroup(s, "sg", {
          egress: [{ fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] }],
        }),
    ],
    compliant: [(s) => ingress(s, "r", { referencedSecurityGroupId: "sg-2" })],
  },
  SG3: {
    noncompliant: [
      (s) => ingress(s, "r", { cidrIpv4: "10.0.0.0/16" }),
      (s) =>
        new SecurityGroup(s, "sg", {
          ingress: [
            {
              fromPort: 0,
              toPort: 0,
              protocol: "-1",
              cidrBlocks: ["10.1.0.0/16"],
              description: "everything from a VPC",
            },
          ],
        }),
    ],
    compliant: [(s) => ingress(s, "r", { referencedSecurityGroupId: "sg-2" })],
    notApplicable: [(s) => ingress(s, "r2", { fromPort: 443, toPort: 443, cidrIpv4: "10.0.0.0/16" })],
  },
  DMS1: {
    noncompliant: [(s) => new DmsReplicationInstance(s, "d", { ...goodDmsInstance, publiclyAccessible: true })],
    compliant: [(s) => new DmsReplicationInstance(s, "d", goodDmsInstance)],
  },
  DMS2: {
    noncompliant: [
      (s) =>
        new DmsEndpoint(s, "e", {
          ...goodTarget,
          secretsManagerArn: undefined,
          secretsManagerAccessRoleArn: undefined,
          username: "u",
          password: "p4ssw0rd-literal",
        }),
      (s) => new DmsEndpoint(s, "e", { ...goodTarget, secretsManagerAccessRoleArn: undefined }),
    ],
    compliant: [(s) => new DmsEndpoint(s, "e", goodTarget)],
  },
  DMS3: {
    noncompliant: [
      (s) => new DmsEndpoint(s, "e", { ...goodTarget, sslMode: "none" }),
      (s) => new DmsEndpoint(s, "e", { ...goodTarget, sslMode: undefined }),
    ],
    compliant: [(s) => new DmsEndpoint(s, "e", goodTarget)],
    notApplicable: [(s) => new DmsEndpoint(s, "e", { ...goodTarget, endpointType: "source", sslMode: "none" })],
  },
  DMS4: {
    noncompliant: [
      (s) =>
        task(
          s,
          "t",
          settings((x) => (x.Logging.EnableLogging = false)),
        ),
      (s) =>
        task(
          s,
          "t",
          settings((x) => (x.ValidationSettings.EnableValidation = false)),
        ),
    ],
    compliant: [
      (s) =>
        task(
          s,
          "t",
          settings(() => undefined),
        ),
    ],
  },
  DMS5: {
    context: { production: true },
    noncompliant: [
      (s) => new DmsReplicationInstance(s, "d", { ...goodDmsInstance, multiAz: false }),
      (s) =>
        new DmsReplicationConfig(s, "c", {
          replicationConfigIdentifier: "c",
          replicationType: "full-load-and-cdc",
          sourceEndpointArn: "a",
          targetEndpointArn: "b",
          tableMappings: "{}",
          computeConfig: { replicationSubnetGroupId: "g", maxCapacityUnits: 4 },
        }),
    ],
    compliant: [(s) => new DmsReplicationInstance(s, "d", goodDmsInstance)],
  },
  SNS1: {
    noncompliant: [(s) => new SnsTopic(s, "t", { name: "x" })],
    compliant: [
      (s) => new SnsTopic(s, "t", { name: "x", kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/abc" }),
    ],
  },
  SNS2: {
    noncompliant: [(s) => new SnsTopic(s, "t", { name: "x", kmsMasterKeyId: "alias/aws/sns" })],
    compliant: [
      (s) => new SnsTopic(s, "t", { name: "x", kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/abc" }),
    ],
  },
  LOG1: {
    noncompliant: [(s) => new CloudwatchLogGroup(s, "g", { name: "g" })],
    compliant: [(s) => new CloudwatchLogGroup(s, "g", { name: "g", retentionInDays: 14 })],
  },
  CW1: {
    noncompliant: [
      (s) =>
        new CloudwatchMetricAlarm(s, "a", {
          alarmName: "a",
          comparisonOperator: "GreaterThanThreshold",
          evaluationPeriods: 1,
          metricName: "CPUUtilization",
          namespace: "AWS/RDS",
          period: 60,
          statistic: "Average",
          threshold: 1,
        }),
    ],
    compliant: [
      (s) =>
        new CloudwatchMetricAlarm(s, "a", {
          alarmName: "a",
          comparisonOperator: "GreaterThanThreshold",
          evaluationPeriods: 1,
          metricName: "CPUUtilization",
          namespace: "AWS/RDS",
          period: 60,
          statistic: "Average",
          threshold: 1,
          alarmActions: ["arn:aws:sns:us-east-1:123456789012:t"],
        }),
    ],
  },
  IAM1: {
    noncompliant: [
      (s) => new DataAwsIamPolicyDocument(s, "p", { statement: [{ actions: ["*"], resources: ["*"] }] }),
      (s) =>
        new IamRolePolicy(s, "p", {
          role: "r",
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
          }),
        }),
    ],
    compliant: [
      (s) =>
        new DataAwsIamPolicyDocument(s, "p", {
          statement: [
            {
              actions: ["secretsmanager:GetSecretValue"],
              resources: ["arn:aws:secretsmanager:us-east-1:123456789012:secret:x"],
            },
          ],
        }),
      (s) =>
        new DataAwsIamPolicyDocument(s, "p", {
          statement: [
            {
              actions: ["kms:*"],
              resources: ["*"],
              principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }],
            },
          ],
        }),
    ],
  },
  S31: {
    noncompliant: [(s) => new S3Bucket(s, "b", { bucket: "b" })],
    compliant: [(s) => new StateBackend(s, "state", { bucketName: "state-bucket-1" }).bucket],
  },
  S32: {
    noncompliant: [(s) => new S3Bucket(s, "b", { bucket: "b" })],
    compliant: [(s) => new StateBackend(s, "state", { bucketName: "state-bucket-1" }).bucket],
  },
  S33: {
    noncompliant: [(s) => new S3Bucket(s, "b", { bucket: "b" })],
    compliant: [(s) => new StateBackend(s, "state", { bucketName: "state-bucket-1" }).bucket],
  },
  S34: {
    noncompliant: [(s) => new S3Bucket(s, "b", { bucket: "b" })],
    compliant: [(s) => new StateBackend(s, "state", { bucketName: "state-bucket-1" }).bucket],
  },
  SEC1: {
    noncompliant: [
      (s) => new SecretsmanagerSecretVersion(s, "v", { secretId: "x", secretString: '{"password":"hunter2"}' }),
      (s) => new Instance(s, "i", { ...goodInstance, userData: "echo AKIAABCDEFGHIJKLMNOP > /tmp/k" }),
      (s) =>
        new Instance(s, "i", { ...goodInstance, userData: "mysql -e \"CREATE USER x IDENTIFIED BY 'Sup3rSecret'\"" }),
    ],
    compliant: [
      (s) => new Instance(s, "i", { ...goodInstance, userData: 'printf "ALTER USER root IDENTIFIED BY \'%s\'" "$pw"' }),
    ],
  },
  FT1: {
    context: { freeTier: true },
    noncompliant: [
      (s) => new Instance(s, "i", { ...goodInstance, instanceType: "m7i.large" }),
      (s) => new Instance(s, "i", { ...goodInstance, rootBlockDevice: { encrypted: true, volumeSize: 100 } }),
    ],
    compliant: [(s) => new Instance(s, "i", goodInstance)],
  },
  FT2: {
    context: { freeTier: true },
    noncompliant: [
      (s) => new DbInstance(s, "db", { ...goodDb, multiAz: true, instanceClass: "db.m7g.large" }),
      (s) => new DbInstance(s, "db", { ...goodDb, multiAz: false, allocatedStorage: 100 }),
    ],
    compliant: [(s) => new DbInstance(s, "db", { ...goodDb, multiAz: false })],
  },
  FT3: {
    context: { freeTier: true },
    noncompliant: [
      (s) =>
        new DmsReplicationInstance(s, "d", {
          ...goodDmsInstance,
          multiAz: false,
          replicationInstanceClass: "dms.r5.large",
        }),
    ],
    compliant: [(s) => new DmsReplicationInstance(s, "d", { ...goodDmsInstance, multiAz: false })],
  },
  // Every NAT gateway is billed: FT4 has no compliant NAT gateway, only resources it does not apply to.
  FT4: {
    context: { freeTier: true },
    noncompliant: [(s) => new NatGateway(s, "n", { subnetId: "subnet-1" })],
    compliant: [],
    notApplicable: [
      (s) =>
        new VpcEndpoint(s, "e", { vpcId: "v", serviceName: "com.amazonaws.us-east-1.s3", vpcEndpointType: "Gateway" }),
    ],
  },
  FT5: {
    context: { freeTier: true },
    noncompliant: [
      (s) =>
        new VpcEndpoint(s, "e", {
          vpcId: "v",
          serviceName: "com.amazonaws.us-east-1.secretsmanager",
          vpcEndpointType: "Interface",
        }),
    ],
    compliant: [
      (s) =>
        new VpcEndpoint(s, "e", { vpcId: "v", serviceName: "com.amazonaws.us-east-1.s3", vpcEndpointType: "Gateway" }),
    ],
  },
  FT6: {
    context: { freeTier: true },
    noncompliant: [
      (s) => new Instance(s, "i", { ...goodInstance, associatePublicIpAddress: true }),
      (s) => new DmsReplicationInstance(s, "d", { ...goodDmsInstance, multiAz: false, publiclyAccessible: true }),
      (s) => new Eip(s, "ip", { domain: "vpc" }),
      (s) => new NatGateway(s, "n", { subnetId: "subnet-1", allocationId: "eipalloc-1" }),
      (s) => new DbInstance(s, "db", { ...goodDb, multiAz: false, publiclyAccessible: true }),
    ],
    compliant: [
      (s) => new Instance(s, "i", { ...goodInstance, associatePublicIpAddress: false }),
      (s) => new DmsReplicationInstance(s, "d", { ...goodDmsInstance, multiAz: false }),
      (s) => new DbInstance(s, "db", { ...goodDb, multiAz: false }),
      (s) => new NatGateway(s, "n", { subnetId: "subnet-1", connectivityType: "private" }),
      (s) => new Eip(s, "ip", { domain: "vpc", publicIpv4Pool: "ipv4pool-ec2-0123456789abcdef0" }),
    ],
  },
  TAG1: {
    noncompliant: [
      (s) => new AwsProvider(s, "aws", { region: "us-east-1", defaultTags: [{ tags: { Project: "x" } }] }),
    ],
    compliant: [
      (s) =>
        new AwsProvider(s, "aws", {
          region: "us-east-1",
          defaultTags: [{ tags: { Project: "x", Environment: "dev", ManagedBy: "cdktf" } }],
        }),
    ],
  },
};

function evaluate(rule: PolicyRule, build: (s: Construct) => IConstruct, context: Partial<RuleContext> = {}) {
  const stack = new TerraformStack(Testing.app(), "test");
  const node = build(stack);
  const ctx: RuleContext = {
    environment: "test",
    production: false,
    freeTier: false,
    requiredTags: REQUIRED_TAGS,
    all: stack.node.findAll(),
    ...context,
  };
  return rule.evaluate(node, ctx);
}

describe.each(ALL_RULES.map((r) => [r.id, r] as const))("%s", (id, rule) => {
  const f = FIXTURES[id];
  test("has fixtures", () => {
    expect(f).toBeDefined();
    expect(f.noncompliant.length).toBeGreaterThan(0);
  });
  test.each((f?.noncompliant ?? []).map((b, i) => [i, b] as const))("Noncompliance %i fires", (_i, build) => {
    expect(evaluate(rule, build, f.context).status).toBe("non-compliant");
  });
  if (f?.compliant.length) {
    test.each(f.compliant.map((b, i) => [i, b] as const))("Compliance %i passes", (_i, build) => {
      expect(evaluate(rule, build, f.context)).toEqual({ status: "compliant" });
    });
  }
  if (f?.notApplicable?.length) {
    test.each(f.notApplicable.map((b, i) => [i, b] as const))("Not applicable %i is left alone", (_i, build) => {
      expect(evaluate(rule, build, f.context)).toEqual({ status: "not-applicable" });
    });
  }
});

describe("FT6: public IPv4 addresses are billed ($0.005/hour each) under the free-tier guard", () => {
  const FT6 = ALL_RULES.find((r) => r.id === "FT6") as PolicyRule;
  const guard = { freeTier: true };

  test.each([
    [
      "an EC2 instance with associate_public_ip_address",
      (s: Construct) => new Instance(s, "i", { ...goodInstance, associatePublicIpAddress: true }),
      /^EC2 instance: associate_public_ip_address is true$/,
    ],
    [
      "a publicly accessible DMS replication instance",
      (s: Construct) => new DmsReplicationInstance(s, "d", { ...goodDmsInstance, publiclyAccessible: true }),
      /^DMS replication instance: publicly_accessible is true$/,
    ],
    [
      "an Elastic IP, attached or not",
      (s: Construct) => new Eip(s, "ip", { domain: "vpc" }),
      /^Elastic IP from the amazon pool/,
    ],
    [
      "an Elastic IP from the amazon pool named explicitly",
      (s: Construct) => new Eip(s, "ip", { domain: "vpc", publicIpv4Pool: "amazon" }),
      /Elastic IP/,
    ],
    [
      "a NAT gateway (public by default)",
      (s: Construct) => new NatGateway(s, "n", { subnetId: "subnet-1", allocationId: "eipalloc-1" }),
      /^NAT gateway: connectivity_type is public/,
    ],
    [
      "a public NAT gateway",
      (s: Construct) =>
        new NatGateway(s, "n", { subnetId: "subnet-1", allocationId: "eipalloc-1", connectivityType: "public" }),
      /^NAT gateway: connectivity_type is public/,
    ],
    [
      "a publicly accessible RDS instance",
      (s: Construct) => new DbInstance(s, "db", { ...goodDb, publiclyAccessible: true }),
      /^RDS instance: publicly_accessible is true$/,
    ],
  ])("Noncompliance: %s", (_what, build, detail) => {
    // GIVEN the free-tier guard, WHEN a resource holds a public IPv4 address, THEN FT6 fires and says which attribute
    const finding = evaluate(FT6, build, guard);
    expect(finding).toEqual({ status: "non-compliant", detail: expect.stringMatching(detail) });
  });

  test.each([
    ["an EC2 instance without a public IP", (s: Construct) => new Instance(s, "i", goodInstance)],
    [
      "an EC2 instance with associate_public_ip_address false",
      (s: Construct) => new Instance(s, "i", { ...goodInstance, associatePublicIpAddress: false }),
    ],
    ["a private DMS replication instance", (s: Construct) => new DmsReplicationInstance(s, "d", goodDmsInstance)],
    ["a private RDS instance", (s: Construct) => new DbInstance(s, "db", goodDb)],
    [
      "an RDS instance with publicly_accessible unset",
      (s: Construct) => new DbInstance(s, "db", { ...goodDb, publiclyAccessible: undefined }),
    ],
    [
      "a private NAT gateway",
      (s: Construct) => new NatGateway(s, "n", { subnetId: "subnet-1", connectivityType: "private" }),
    ],
    [
      "an Elastic IP from your own pool (BYOIP)",
      (s: Construct) => new Eip(s, "ip", { domain: "vpc", publicIpv4Pool: "ipv4pool-ec2-0123456789abcdef0" }),
    ],
  ])("Compliance: %s", (_what, build) => {
    expect(evaluate(FT6, build, guard)).toEqual({ status: "compliant" });
  });

  test("does not apply to resources that cannot hold a public IPv4 address, or to unknown values", () => {
    expect(evaluate(FT6, (s) => new SnsTopic(s, "t", { name: "x" }), guard).status).toBe("not-applicable");
    expect(
      evaluate(
        FT6,
        (s) => new NatGateway(s, "n", { subnetId: "subnet-1", connectivityType: new S3Bucket(s, "b", {}).bucket }),
        guard,
      ).status,
    ).toBe("not-applicable");
  });

  test("does not apply without the free-tier guard (staging, prod)", () => {
    expect(evaluate(FT6, (s) => new Eip(s, "ip", { domain: "vpc" }), { freeTier: false }).status).toBe(
      "not-applicable",
    );
    expect(
      evaluate(FT6, (s) => new Instance(s, "i", { ...goodInstance, associatePublicIpAddress: true }), {
        freeTier: false,
      }).status,
    ).toBe("not-applicable");
  });
});

describe("PolicyPack", () => {
  function synthWith(
    build: (s: TerraformStack) => void,
    props = { environment: "t", production: false, freeTierGuard: false },
  ) {
    const app = Testing.app({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "pack-")) });
    const stack = new TerraformStack(app, "t");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    Aspects.of(stack).add(new TaggingAspect({ Project: "p", Environment: "t", ManagedBy: "cdktf" }));
    const pack = new PolicyPack(props);
    Aspects.of(stack).add(pack);
    build(stack);
    // app.synth() is what `cdktf synth` runs: it throws on error annotations
    return { stack, pack, synth: () => app.synth() };
  }

  test("throws at synth with the rule id, the resource path, the cause and the fix", () => {
    const { synth } = synthWith((s) => new DbInstance(s, "target", { ...goodDb, publiclyAccessible: true }));
    expect(synth).toThrow(
      /\[t\/target\] \[RDS2\] The RDS instance is publicly accessible\. publicly_accessible is true\. Fix: .*publicly_accessible = false/,
    );
  });

  test("a suppression with a reason turns the error into an INFO line", () => {
    const { stack, pack, synth } = synthWith((s) => {
      const db = new DbInstance(s, "target", { ...goodDb, publiclyAccessible: true });
      suppressRule(db, "RDS2", "demo database reached from the office VPN only");
    });
    expect(synth).not.toThrow();
    const infos = stack.node
      .findAll()
      .flatMap((n) => n.node.metadata)
      .filter((m) => m.type === "@cdktf/info")
      .map((m) => String(m.data));
    expect(infos).toEqual([
      expect.stringMatching(/^\[RDS2\] suppressed: demo database reached from the office VPN only/),
    ]);
    expect(pack.findings).toEqual([
      expect.objectContaining({ ruleId: "RDS2", suppressedBecause: "demo database reached from the office VPN only" }),
    ]);
  });

  test("a suppression on a parent covers its children", () => {
    const { synth } = synthWith((s) => {
      const parent = new Construct(s, "legacy");
      new SnsTopic(parent, "topic", { name: "x" });
      suppressRule(parent, "SNS1", "legacy topic migrated next quarter, ticket OPS-42");
    });
    expect(synth).not.toThrow();
  });

  test("throws on a suppression without a reason", () => {
    const stack = new TerraformStack(Testing.app(), "t");
    const db = new DbInstance(stack, "db", goodDb);
    expect(() => suppressRule(db, "RDS2", "because")).toThrow(
      /suppression of RDS2 on t\/db needs a reason of 10\+ characters, got "because"/,
    );
    expect(() => suppressRule(db, "RDS2", "")).toThrow(/needs a reason of 10\+ characters/);
  });

  test("throws on a suppression of an unknown rule", () => {
    const stack = new TerraformStack(Testing.app(), "t");
    expect(() => suppressRule(stack, "NOPE1", "a long enough reason")).toThrow(/unknown rule id "NOPE1"/);
  });

  test("the tagging aspect puts the common tags on the provider, keeping tags already set", () => {
    const stack = new TerraformStack(Testing.app(), "t");
    new AwsProvider(stack, "aws", { region: "us-east-1", defaultTags: [{ tags: { Owner: "dba" } }] });
    Aspects.of(stack).add(new TaggingAspect({ Project: "p", Environment: "t", ManagedBy: "cdktf" }));
    const json = JSON.parse(Testing.synth(stack));
    expect(json.provider.aws[0].default_tags).toEqual([
      { tags: { Project: "p", Environment: "t", ManagedBy: "cdktf", Owner: "dba" } },
    ]);
  });

  test("the free-tier guard names the paid resource", () => {
    const { synth } = synthWith((s) => new NatGateway(s, "nat", { subnetId: "subnet-1" }), {
      environment: "dev",
      production: false,
      freeTierGuard: true,
    });
    expect(synth).toThrow(/\[t\/nat\] \[FT4\] Free-tier guard: a NAT gateway is billed/);
  });

  test("fails synth on a public IPv4 address under the free-tier guard; a suppression with its cost lets it through", () => {
    const dev = { environment: "dev", production: false, freeTierGuard: true };
    const unsuppressed = synthWith((s) => new Eip(s, "ip", { domain: "vpc" }), dev);
    expect(unsuppressed.synth).toThrow(
      /\[t\/ip\] \[FT6\] Free-tier guard: a public IPv4 address is billed \(\$0\.005\/hour, ~\$3\.65\/month each/,
    );
    const suppressed = synthWith((s) => {
      const source = new Instance(s, "source", { ...goodInstance, associatePublicIpAddress: true });
      suppressRule(source, "FT6", "dev source reaches package repositories without a NAT gateway: ~$3.65/month");
    }, dev);
    expect(suppressed.synth).not.toThrow();
    expect(suppressed.pack.findings.filter((f) => f.ruleId === "FT6")).toEqual([
      expect.objectContaining({
        path: "t/source",
        suppressedBecause: "dev source reaches package repositories without a NAT gateway: ~$3.65/month",
      }),
    ]);
  });
});
