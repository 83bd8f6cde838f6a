import { Construct, IConstruct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { SAMPLE_SCHEMA } from "../model/names";
import { sourceServerSettings } from "../model/source-sql";
import {
  AL2023_AMI_SSM_PARAMETER,
  MYSQL_COMMUNITY_REPO_RPM,
  MYSQL_PORT,
  SSM_MANAGED_INSTANCE_CORE_POLICY,
  isArmInstanceType,
} from "../model/catalog";
import { assertValid } from "../model/checks";
import {
  Ec2SourceSettings,
  ExistingSourceSettings,
  resolveEc2SourceSettings,
  validateEc2SourceSettings,
  validateExistingSourceSettings,
} from "./source-mysql-props";
import { EC2_METRICS, EC2_NAMESPACE, Ec2MetricName, Metric, MetricOptions, metric } from "./metrics";
import { isIpv4Address } from "./database-name-props";
import { allowMysqlIngress } from "./mysql-ingress";
import { Network } from "./network";
import { renderSourceUserData } from "./source-mysql-user-data";

/** What every source offers DMS, monitoring and the outputs, whichever way it exists. */
export interface ISourceMysql extends IConstruct {
  /** `ec2`: created here (`new SourceMysql`); `existing`: reached by host and port (`SourceMysql.fromExisting`). */
  readonly mode: "ec2" | "existing";
  /** Host DMS connects to (the instance's private IP in `ec2` mode). */
  readonly host: string;
  /**
   * A DNS name that resolves to the source inside the VPC, when it has one: the instance's private DNS name (`ec2`),
   * the host itself when it is a name (`existing`). Undefined for an existing source given by IPv4 address.
   */
  readonly dnsName?: string;
  readonly port: number;
  /** ARN of the secret DMS reads the source with. */
  readonly dmsSecretArn: string;
  /** KMS key of that secret when customer-managed. */
  readonly dmsSecretKmsKeyArn?: string;
  /** Security group of the source (`ec2` mode); an existing source's firewall is yours. */
  readonly securityGroup?: SecurityGroup;
  /** PEM of the CA that signed the source's certificate (DMS verify-full), when known. */
  readonly caCertificatePem?: string;
  /** The source server's time zone when it is not UTC (DMS ServerTimezone). */
  readonly serverTimezone?: string;
  /** Opens MySQL on the source to a security group (`ec2` mode; undefined for an existing source). */
  allowMysqlFrom(peer: SecurityGroup, description: string): VpcSecurityGroupIngressRule | undefined;
}

/** The EC2 source's settings (source-mysql-props.ts) and what it is wired to. */
export interface SourceMysqlProps extends Ec2SourceSettings {
  readonly namePrefix: string;
  readonly network: Network;
  /** Schemas DMS migrates (the DMS user is granted SELECT on them). @default ["ecommerce"] */
  readonly migratedSchemas?: readonly string[];
  /**
   * The fallback replication writes back to this source: the bootstrap also grants the DMS user what a DMS target
   * needs (model/source-sql.ts). The instance ignores later user data changes: on a running instance, re-grant with
   * `dmsctl users` instead. @default false
   */
  readonly fallbackWriteGrants?: boolean;
}

/** A MySQL server that already exists: nothing is created for it; its settings are checked at synth. */
class ExistingSourceMysql extends Construct implements ISourceMysql {
  readonly mode = "existing" as const;
  readonly host: string;
  readonly dnsName?: string;
  readonly port: number;
  readonly dmsSecretArn: string;
  readonly dmsSecretKmsKeyArn?: string;
  readonly caCertificatePem?: string;
  readonly serverTimezone?: string;

  constructor(scope: Construct, id: string, settings: ExistingSourceSettings) {
    super(scope, id);
    assertValid(validateExistingSourceSettings(settings));
    this.host = settings.host;
    this.dnsName = isIpv4Address(settings.host) ? undefined : settings.host;
    this.port = settings.port ?? MYSQL_PORT;
    this.dmsSecretArn = settings.secretArn;
    this.dmsSecretKmsKeyArn = settings.secretKmsKeyArn;
    this.caCertificatePem = settings.caCertificatePem;
    this.serverTimezone = settings.serverTimezone;
  }

  allowMysqlFrom(): undefined {
    return undefined;
  }
}

/**
 * The MySQL source of the migration. `new SourceMysql(...)`: the EC2 stand-in for on-premises, an Amazon Linux 2023
 * instance (IMDSv2 only, encrypted root volume, no SSH key: SSM Session Manager) that installs MySQL Community with
 * everything DMS CDC needs, the sample schema and a least-privilege DMS user whose password it generates and stores in
 * Secrets Manager. `SourceMysql.fromExisting(...)`: a MySQL reached by host and port, with a DMS-format secret
 * created elsewhere.
 */
export class SourceMysql extends Construct implements ISourceMysql {
  /** A source that already exists, described by its settings (checked at synth). */
  static fromExisting(scope: Construct, id: string, settings: ExistingSourceSettings): ISourceMysql {
    return new ExistingSourceMysql(scope, id, settings);
  }

  readonly mode = "ec2" as const;
  readonly host: string;
  readonly dnsName: string;
  readonly port: number;
  readonly dmsSecretArn: string;
  readonly dmsSecret: SecretsmanagerSecret;
  readonly instance: Instance;
  readonly securityGroup: SecurityGroup;
  readonly role: IamRole;
  readonly instanceId: string;

  constructor(scope: Construct, id: string, props: SourceMysqlProps) {
    super(scope, id);
    const schemas = props.migratedSchemas ?? [SAMPLE_SCHEMA];
    const c = resolveEc2SourceSettings(props);
    assertValid(validateEc2SourceSettings(c));
    const { instanceType, rootVolumeSizeGiB: rootGiB, mysqlMajorVersion: major, subnet: tier } = c;
    const name = `${props.namePrefix}-source`;
    this.port = MYSQL_PORT;

    this.dmsSecret = new SecretsmanagerSecret(this, "dms-secret", {
      namePrefix: `${props.namePrefix}/dms/source-`,
      description: `DMS source credentials (username, password, host, port) of ${name}; written by its bootstrap, not Terraform`,
      recoveryWindowInDays: 7,
    });
    this.dmsSecretArn = this.dmsSecret.arn;

    // Security group: no inbound rule until a peer is allowed by name; egress HTTPS only (package repositories, SSM,
    // Secrets Manager). The instance never connects to the RDS target.
    this.securityGroup = new SecurityGroup(this, "sg", {
      name: `${name}-mysql`,
      description: "MySQL source on EC2: MySQL only from allowed security groups; HTTPS egress for packages and SSM",
      vpcId: props.network.vpcId,
      tags: { Name: `${name}-mysql` },
    });
    new VpcSecurityGroupEgressRule(this, "egress-https", {
      securityGroupId: this.securityGroup.id,
      description: "HTTPS to MySQL and Amazon Linux package repositories, SSM Session Manager and Secrets Manager",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: "0.0.0.0/0",
    });

    // IAM: Session Manager (no SSH keys) and the secrets the bootstrap writes.
    const partition = new DataAwsPartition(this, "partition");
    const assume = new DataAwsIamPolicyDocument(this, "assume-role", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }],
        },
      ],
    });
    this.role = new IamRole(this, "role", {
      name: `${name}-instance`,
      description: "MySQL source instance: SSM Session Manager and its own DMS secret",
      assumeRolePolicy: assume.json,
    });
    new IamRolePolicyAttachment(this, "ssm-core", {
      role: this.role.name,
      policyArn: `arn:${partition.partition}:iam::aws:policy/${SSM_MANAGED_INSTANCE_CORE_POLICY}`,
    });
    // Only the DMS source user's own secret: the bootstrap writes it, and reads it back to undo a rotation MySQL
    // refused. It can read no other secret (the RDS master secret stays with the operator: dmsctl users).
    const secretsPolicy = new DataAwsIamPolicyDocument(this, "secrets-policy", {
      statement: [
        {
          sid: "SourceDmsSecret",
          actions: ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret"],
          resources: [this.dmsSecret.arn],
        },
      ],
    });
    new IamRolePolicy(this, "secrets", { name: "dms-secrets", role: this.role.id, policy: secretsPolicy.json });
    const profile = new IamInstanceProfile(this, "profile", { name: `${name}-instance`, role: this.role.name });

    const ami = new DataAwsSsmParameter(this, "ami", {
      name: isArmInstanceType(instanceType) ? AL2023_AMI_SSM_PARAMETER.arm64 : AL2023_AMI_SSM_PARAMETER.x86_64,
    });
    const region = new DataAwsRegion(this, "region");
    const userData = renderSourceUserData({
      region: region.region,
      mysqlRepoRpmUrl: MYSQL_COMMUNITY_REPO_RPM[major],
      serverSettings: sourceServerSettings({
        serverId: c.serverId,
        binlogRetentionHours: c.binlogRetentionHours,
        mysqlMajorVersion: major,
      }),
      migratedSchemas: schemas,
      fallbackWriteGrants: props.fallbackWriteGrants ?? false,
      sampleSchema: SAMPLE_SCHEMA,
      sampleData: c.sampleData,
      sourceDmsSecretArn: this.dmsSecret.arn,
    });

    this.instance = new Instance(this, "instance", {
      ami: ami.insecureValue,
      instanceType,
      subnetId: props.network.subnetIds(tier)[0],
      associatePublicIpAddress: tier === "public",
      vpcSecurityGroupIds: [this.securityGroup.id],
      iamInstanceProfile: profile.name,
      metadataOptions: {
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: "disabled",
      },
      rootBlockDevice: { volumeType: "gp3", volumeSize: rootGiB, encrypted: true, deleteOnTermination: true },
      // Standard CPU credits: a burstable instance never bills surplus credits (free-tier friendly).
      creditSpecification: /^t[234]/.test(instanceType) ? { cpuCredits: "standard" } : undefined,
      monitoring: c.detailedMonitoring,
      userData,
      tags: { Name: name },
      // The source is stateful: a new AMI or a changed bootstrap must not replace it under a running migration.
      // Re-provision on purpose with `terraform apply -replace=<address>`.
      lifecycle: { ignoreChanges: ["ami", "user_data"] },
      // The bootstrap writes the secret: it must exist first.
      dependsOn: [this.dmsSecret],
    });
    this.instanceId = this.instance.id;
    this.host = this.instance.privateIp;
    this.dnsName = this.instance.privateDns;
  }

  /** An EC2 metric of the source instance. */
  metric(metricName: Ec2MetricName, options: MetricOptions = {}): Metric {
    const statistic = metricName === "CPUUtilization" ? "Average" : "Maximum";
    return metric(
      EC2_NAMESPACE,
      metricName,
      { InstanceId: this.instanceId },
      EC2_METRICS[metricName],
      { statistic, periodSeconds: 60 },
      options,
    );
  }
  metricStatusCheckFailedSystem(options?: MetricOptions): Metric {
    return this.metric("StatusCheckFailed_System", options);
  }
  metricStatusCheckFailedInstance(options?: MetricOptions): Metric {
    return this.metric("StatusCheckFailed_Instance", options);
  }
  metricCPUUtilization(options?: MetricOptions): Metric {
    return this.metric("CPUUtilization", { periodSeconds: 300, ...options });
  }

  /** Opens MySQL on the source instance to a security group (and nothing else), with a description on the rule. */
  allowMysqlFrom(peer: SecurityGroup, description: string): VpcSecurityGroupIngressRule {
    return allowMysqlIngress(this, this.securityGroup.id, peer, description);
  }
}
