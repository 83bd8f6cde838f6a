import { Construct } from "constructs";
import { Annotations, ITerraformDependable, TerraformOutput } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DmsCertificate } from "@cdktf/provider-aws/lib/dms-certificate";
import { DmsEndpoint } from "@cdktf/provider-aws/lib/dms-endpoint";
import { DmsReplicationSubnetGroup } from "@cdktf/provider-aws/lib/dms-replication-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { MYSQL_PORT } from "../model/catalog";
import { buildTableMappings, TableTransformation } from "../model/dms-table-mappings";
import { buildTaskSettings } from "../model/dms-task-settings";
import { OUTPUT_NAMES } from "../model/names";
import { TableSelection } from "../model/table-selection";
import { DMS_MYSQL_SSL_MODES, DmsMysqlSslMode, DmsReplicationSettings } from "./dms-replication-props";
import { DmsAccountRoles } from "./dms-account-roles";
import { DmsTaskMetricName, Metric, MetricOptions, dmsTaskMetric } from "./metrics";
import { Network } from "./network";
import { rdsRegionCaBundle } from "./rds-ca";
import { ISourceMysql } from "./source-mysql";
import { TargetRds } from "./target-rds";

/** What a replication is wired to, whichever form it takes. */
export interface DmsReplicationWiring {
  readonly namePrefix: string;
  /** Region of the stack, as a literal: it picks the RDS CA bundle and the DMS service principal. */
  readonly region: string;
  readonly network: Network;
  readonly source: ISourceMysql;
  readonly target: TargetRds;
  readonly accountRoles: DmsAccountRoles;
  /** The tables to migrate: a parsed selection (`tableSelection(["shop.%", "!shop.tmp_%"])`, model/table-selection.ts). */
  readonly tables: TableSelection;
  readonly transformations?: readonly TableTransformation[];
  /** TLS to the source. @default - "verify-full" when the source's CA is known (`caCertificatePem`), else "none" (with a warning for an existing source) */
  readonly sourceSslMode?: DmsMysqlSslMode;
  /** SNS topic for DMS event subscriptions. @default - no subscription */
  readonly alertTopicArn?: string;
}

/** The parts of a replication both forms build before their compute: settled, validated values. */
interface SharedParts {
  readonly subnet: "public" | "private";
  readonly taskSettings: Required<DmsReplicationSettings>["taskSettings"];
  readonly targetParallelLoadThreads: number;
}

/**
 * AWS DMS full load + ongoing replication (CDC) from the source to the RDS target, in one of two forms
 * (`DmsInstanceReplication`, `DmsServerlessReplication`), both with: a security group that is the only one allowed
 * to reach MySQL on both sides, endpoints that read credentials from Secrets Manager through a least-privilege role,
 * TLS to the target (verify-full against the RDS regional CA), generated table mappings and typed task settings, and
 * the task log group with retention. Monitoring reads any replication through this class.
 */
export abstract class DmsReplication extends Construct {
  abstract readonly serverless: boolean;
  readonly securityGroup: SecurityGroup;
  readonly subnetGroup: DmsReplicationSubnetGroup;
  readonly secretsAccessRole: IamRole;
  /** The policy that lets `secretsAccessRole` read both DMS secrets: an endpoint using the role waits for it. */
  readonly secretsAccessPolicy: IamRolePolicy;
  readonly sourceEndpoint: DmsEndpoint;
  readonly targetEndpoint: DmsEndpoint;
  /** The Amazon RDS CA bundle of the region, which the target's certificate is verified against (verify-full). */
  readonly targetCaCertificate: DmsCertificate;
  /** The source's CA, when it is known (`caCertificatePem`): the source link is then verified too. */
  readonly sourceCaCertificate?: DmsCertificate;
  /** TLS mode of the source link (none, verify-ca or verify-full). */
  readonly sourceSslMode: DmsMysqlSslMode;
  abstract readonly logGroup: CloudwatchLogGroup;
  /** Task id and resource identifier (equal on purpose): the `ReplicationTaskIdentifier` metric dimension. */
  readonly taskId: string;
  /** ARN of the task (or the serverless replication config). */
  abstract readonly taskArn: string;
  /** Replication instance id: the `ReplicationInstanceIdentifier` metric dimension (empty for serverless). */
  abstract readonly replicationInstanceId: string;
  /** Storage of the replication instance (GiB; 0 for serverless). */
  abstract readonly allocatedStorageGiB: number;
  readonly tableMappingsJson: string;
  readonly taskSettingsJson: string;
  protected readonly accountId: string;
  /** `<namePrefix>-dms`: the name of the security group, subnet group, instance and endpoints. */
  protected readonly name: string;
  /** What the compute must wait for: the account roles' lookups and, when private, the Secrets Manager endpoint. */
  protected readonly computeDependsOn: ITerraformDependable[];

  protected constructor(scope: Construct, id: string, p: DmsReplicationWiring, shared: SharedParts) {
    super(scope, id);
    const subnet = shared.subnet;
    const name = `${p.namePrefix}-dms`;
    this.name = name;
    this.taskId = `${p.namePrefix}-task`;
    if (!/^[a-zA-Z][a-zA-Z0-9-]{0,30}$/.test(this.taskId) || this.taskId.includes("--") || this.taskId.endsWith("-")) {
      throw new Error(
        `the task id (= resource identifier) must be <= 31 letters, digits or single hyphens starting with a letter, got ${JSON.stringify(this.taskId)}`,
      );
    }
    checkRoute(p, subnet);

    this.tableMappingsJson = JSON.stringify(
      buildTableMappings({ tables: p.tables, transformations: p.transformations }),
    );
    this.taskSettingsJson = JSON.stringify(buildTaskSettings(shared.taskSettings));
    this.accountId = new DataAwsCallerIdentity(this, "account").accountId;
    // A private replication reads its secrets through the Secrets Manager endpoint: it must exist first.
    const secretsRoute = p.network.secretsManagerEndpointResource ? [p.network.secretsManagerEndpointResource] : [];
    this.computeDependsOn = [...p.accountRoles.dependables, ...secretsRoute];

    this.securityGroup = this.createSecurityGroup(p, name);
    this.subnetGroup = new DmsReplicationSubnetGroup(this, "subnet-group", {
      replicationSubnetGroupId: name,
      replicationSubnetGroupDescription: `DMS replication subnets (${subnet})`,
      subnetIds: p.network.subnetIds(subnet),
      dependsOn: p.accountRoles.dependables,
    });

    const secrets = this.createSecretsAccess(p, name);
    this.secretsAccessRole = secrets.role;
    this.secretsAccessPolicy = secrets.policy;
    const endpoints = this.createEndpoints(p, name, secrets.role, secrets.policy, shared.targetParallelLoadThreads);
    this.sourceEndpoint = endpoints.source;
    this.targetEndpoint = endpoints.target;
    this.targetCaCertificate = endpoints.targetCa;
    this.sourceCaCertificate = endpoints.sourceCa;
    this.sourceSslMode = endpoints.sourceSsl;
  }

  /** The only group allowed to reach MySQL on the source and the target; no inbound rule at all. */
  private createSecurityGroup(p: DmsReplicationWiring, name: string): SecurityGroup {
    // Network: the only group allowed to reach MySQL on the source and the target. No inbound rule at all.
    const securityGroup = new SecurityGroup(this, "sg", {
      name,
      description: "AWS DMS replication: no inbound; MySQL to source and target, HTTPS to Secrets Manager",
      vpcId: p.network.vpcId,
      tags: { Name: name },
    });
    const egress = (rid: string, description: string, port: number, peer: { cidr?: string; sg?: string }) =>
      new VpcSecurityGroupEgressRule(this, rid, {
        securityGroupId: securityGroup.id,
        description,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrIpv4: peer.cidr,
        referencedSecurityGroupId: peer.sg,
      });
    egress("egress-target", "MySQL to the RDS target", MYSQL_PORT, { sg: p.target.securityGroup.id });
    if (p.source.securityGroup) {
      egress("egress-source", "MySQL to the source instance", p.source.port, { sg: p.source.securityGroup.id });
      p.source.allowMysqlFrom(securityGroup, "DMS replication reads the source: full load and binlog (CDC)");
    } else {
      egress(
        "egress-source",
        "MySQL to the existing source (on premises or peered; address from its secret)",
        p.source.port,
        {
          cidr: "0.0.0.0/0",
        },
      );
    }
    p.target.allowMysqlFrom(securityGroup, "DMS replication writes the target: full load and CDC apply");
    egress(
      "egress-https",
      p.network.endpointSecurityGroup
        ? "HTTPS to the Secrets Manager VPC endpoint"
        : "HTTPS to Secrets Manager (public endpoint)",
      443,
      p.network.endpointSecurityGroup ? { sg: p.network.endpointSecurityGroup.id } : { cidr: "0.0.0.0/0" },
    );

    return securityGroup;
  }

  /** The role DMS reads both endpoint secrets with, and nothing else. */
  private createSecretsAccess(p: DmsReplicationWiring, name: string): { role: IamRole; policy: IamRolePolicy } {
    // Secrets: DMS reads both endpoint secrets through this role, and nothing else.
    // Confused-deputy guard: DMS may assume the role only on behalf of this account. aws:SourceAccount only: DMS
    // does not send aws:SourceArn on every call, and a SourceArn condition has broken DMS roles before
    // (terraform-aws-modules/terraform-aws-dms#84).
    const trust = new DataAwsIamPolicyDocument(this, "secrets-trust", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: [`dms.${p.region}.amazonaws.com`, "dms.amazonaws.com"] }],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [this.accountId] }],
        },
      ],
    });
    const role = new IamRole(this, "secrets-role", {
      name: `${name}-secrets`,
      description: "AWS DMS reads the source and target endpoint secrets",
      assumeRolePolicy: trust.json,
    });
    const secretArns = [p.source.dmsSecretArn, p.target.dmsSecret.arn];
    const secretsPolicy = new DataAwsIamPolicyDocument(this, "secrets-policy", {
      statement: [
        {
          sid: "ReadEndpointSecrets",
          actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
          resources: secretArns,
        },
        ...(p.source.dmsSecretKmsKeyArn
          ? [
              {
                sid: "DecryptSourceSecret",
                actions: ["kms:Decrypt", "kms:DescribeKey"],
                resources: [p.source.dmsSecretKmsKeyArn],
                condition: [
                  {
                    test: "StringEquals",
                    variable: "kms:ViaService",
                    values: [`secretsmanager.${p.region}.amazonaws.com`],
                  },
                ],
              },
            ]
          : []),
      ],
    });
    const secretsPolicyResource = new IamRolePolicy(this, "secrets-role-policy", {
      name: "read-dms-endpoint-secrets",
      role: role.id,
      policy: secretsPolicy.json,
    });

    return { role, policy: secretsPolicyResource };
  }

  /** Endpoints: credentials only through Secrets Manager (never user/password/server/port on the endpoint). */
  private createEndpoints(
    p: DmsReplicationWiring,
    name: string,
    role: IamRole,
    secretsPolicyResource: IamRolePolicy,
    parallelLoadThreads: number,
  ): {
    source: DmsEndpoint;
    target: DmsEndpoint;
    targetCa: DmsCertificate;
    sourceCa?: DmsCertificate;
    sourceSsl: DmsMysqlSslMode;
  } {
    // Endpoints: credentials only through Secrets Manager (never user/password/server/port on the endpoint).
    const targetCa = new DmsCertificate(this, "target-ca", {
      certificateId: `${name}-rds-ca-${p.region}`,
      certificatePem: rdsRegionCaBundle(p.region),
    });
    const sourceSsl = defaultSourceSsl(p);
    if (sourceSsl === "none" && p.source.mode === "existing") {
      Annotations.of(this).addWarning(
        "DMS reads the existing source without TLS: set its CA certificate (source.existing.caCertificatePem) for verify-full",
      );
    }
    const sourceCa =
      sourceSsl === "none"
        ? undefined
        : new DmsCertificate(this, "source-ca", {
            certificateId: `${name}-source-ca`,
            certificatePem: p.source.caCertificatePem,
          });
    const source = new DmsEndpoint(this, "source-endpoint", {
      endpointId: `${name}-source`,
      endpointType: "source",
      engineName: "mysql",
      secretsManagerArn: p.source.dmsSecretArn,
      secretsManagerAccessRoleArn: role.arn,
      sslMode: sourceSsl,
      certificateArn: sourceCa?.certificateArn,
      mysqlSettings: {
        eventsPollInterval: 5,
        ...(p.source.serverTimezone ? { serverTimezone: p.source.serverTimezone } : {}),
      },
      dependsOn: [secretsPolicyResource],
    });
    const target = new DmsEndpoint(this, "target-endpoint", {
      endpointId: `${name}-target`,
      endpointType: "target",
      engineName: "mysql",
      secretsManagerArn: p.target.dmsSecret.arn,
      secretsManagerAccessRoleArn: role.arn,
      sslMode: "verify-full",
      certificateArn: targetCa.certificateArn,
      mysqlSettings: {
        // Rows of a table arrive in parallel and out of dependency order during full load: no FK checks then.
        afterConnectScript: "SET FOREIGN_KEY_CHECKS=0",
        parallelLoadThreads,
        targetDbType: "multiple-databases",
      },
      dependsOn: [secretsPolicyResource],
    });

    return { source, target, targetCa, sourceCa, sourceSsl };
  }

  /** Dimensions of the task metrics: instance + task resource identifier, or the serverless replication. */
  protected abstract taskDimensions(): Record<string, string>;

  /** Any task metric by its official name (latencies and incoming changes as their Maximum, the rest Average). */
  metricTask(metricName: DmsTaskMetricName, options: MetricOptions = {}): Metric {
    return dmsTaskMetric(this.taskDimensions(), metricName, options);
  }
  metricCDCLatencySource(options?: MetricOptions): Metric {
    return this.metricTask("CDCLatencySource", options);
  }
  metricCDCLatencyTarget(options?: MetricOptions): Metric {
    return this.metricTask("CDCLatencyTarget", options);
  }
  metricCDCIncomingChanges(options?: MetricOptions): Metric {
    return this.metricTask("CDCIncomingChanges", options);
  }
  metricCDCThroughputRowsSource(options?: MetricOptions): Metric {
    return this.metricTask("CDCThroughputRowsSource", options);
  }
  metricCDCThroughputRowsTarget(options?: MetricOptions): Metric {
    return this.metricTask("CDCThroughputRowsTarget", options);
  }
  metricFullLoadThroughputRowsSource(options?: MetricOptions): Metric {
    return this.metricTask("FullLoadThroughputRowsSource", options);
  }
  metricFullLoadThroughputRowsTarget(options?: MetricOptions): Metric {
    return this.metricTask("FullLoadThroughputRowsTarget", options);
  }

  /**
   * The full-load progress metric this replication publishes: FullLoadThroughputRowsSource for an instance task;
   * DMS Serverless publishes only FullLoadThroughputRowsTarget (fact 16).
   */
  metricFullLoadProgress(options?: MetricOptions): Metric {
    return this.serverless
      ? this.metricFullLoadThroughputRowsTarget(options)
      : this.metricFullLoadThroughputRowsSource(options);
  }

  /** Terraform outputs of the replication (called by the stack). */
  addOutputs(scope: Construct): void {
    const out = (id: string, value: string, description: string) =>
      new TerraformOutput(scope, id, { value, description });
    const o = OUTPUT_NAMES;
    out(
      o.dmsTaskArn,
      this.taskArn,
      this.serverless ? "ARN of the DMS Serverless replication config" : "ARN of the DMS replication task",
    );
    out(
      o.dmsTaskId,
      this.taskId,
      "DMS task id (= resource identifier, the ReplicationTaskIdentifier metric dimension)",
    );
    out(o.dmsReplicationInstanceId, this.replicationInstanceId, "DMS replication instance id (empty for serverless)");
    out(o.dmsSourceEndpointArn, this.sourceEndpoint.endpointArn, "ARN of the DMS source endpoint");
    out(o.dmsTargetEndpointArn, this.targetEndpoint.endpointArn, "ARN of the DMS target endpoint");
    out(o.dmsTaskLogGroup, this.logGroup.name, "CloudWatch log group of the DMS task");
  }
}

/** TLS to the source: verify-full when its CA is known; none for the EC2 stand-in (VPC-internal, no CA to pin). */
function defaultSourceSsl(p: DmsReplicationWiring): DmsMysqlSslMode {
  const mode = p.sourceSslMode ?? (p.source.caCertificatePem ? "verify-full" : "none");
  if (!(DMS_MYSQL_SSL_MODES as readonly string[]).includes(mode)) {
    throw new Error(
      `sourceSslMode must be none, verify-ca or verify-full (DMS has no "require" for MySQL), got ${JSON.stringify(mode)}`,
    );
  }
  if (mode !== "none" && !p.source.caCertificatePem?.includes("BEGIN CERTIFICATE")) {
    throw new Error(`the source's caCertificatePem must be the PEM of its CA when sourceSslMode is ${mode}, got none`);
  }
  return mode;
}

/** A private replication reads its secrets over HTTPS: it needs a Secrets Manager endpoint or a NAT gateway. */
function checkRoute(p: DmsReplicationWiring, subnet: "public" | "private"): void {
  if (
    subnet === "private" &&
    !p.network.secretsManagerEndpointResource &&
    !p.network.natGatewayResource &&
    !p.network.isExisting
  ) {
    throw new Error(
      'subnet "private" needs a Secrets Manager VPC endpoint or a NAT gateway in the network (DMS reads its endpoint secrets over HTTPS), got neither',
    );
  }
}
