import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsIamRole } from "@cdktf/provider-aws/lib/data-aws-iam-role";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { timeSleep } from "./time-sleep";

/** The account-wide roles DMS looks up by these fixed names. */
export const DMS_VPC_ROLE_NAME = "dms-vpc-role";
export const DMS_CLOUDWATCH_LOGS_ROLE_NAME = "dms-cloudwatch-logs-role";
export const DMS_VPC_MANAGEMENT_POLICY = "service-role/AmazonDMSVPCManagementRole";
export const DMS_CLOUDWATCH_LOGS_POLICY = "service-role/AmazonDMSCloudWatchLogsRole";


export interface DmsAccountRolesProps {
  /**
   * Create `dms-vpc-role` and `dms-cloudwatch-logs-role`. They are account-wide with fixed names: exactly one
   * stack per account may create them; the others look them up (and plan fails clearly when they are missing).
   * @default true
   */
  readonly create?: boolean;
  /** Seconds to wait after attaching the policies before DMS may use them (IAM is eventually consistent). @default 10 */
  readonly propagationWaitSeconds?: number;
}

/**
 * The two IAM roles AWS DMS needs in every account before the first replication subnet group and instance exist.
 * `dependables` is what DMS resources must depend on: the policy attachments plus a short wait, which avoids the
 * first-apply error "The IAM Role arn:aws:iam::...:role/dms-vpc-role is not configured properly".
 */
export class DmsAccountRoles extends Construct {
  readonly created: boolean;
  readonly vpcRoleArn: string;
  readonly cloudwatchLogsRoleArn: string;
  /** Resources DMS subnet groups and instances must depend on. */
  readonly dependables: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: DmsAccountRolesProps = {}) {
    super(scope, id);
    this.created = props.create ?? true;
    const wait = props.propagationWaitSeconds ?? 10;
    if (!Number.isInteger(wait) || wait < 0 || wait > 300) {
      throw new Error(`propagationWaitSeconds must be an integer between 0 and 300, got ${wait}`);
    }

    if (!this.created) {
      const vpc = new DataAwsIamRole(this, "vpc-role", { name: DMS_VPC_ROLE_NAME });
      const logs = new DataAwsIamRole(this, "cloudwatch-logs-role", { name: DMS_CLOUDWATCH_LOGS_ROLE_NAME });
      this.vpcRoleArn = vpc.arn;
      this.cloudwatchLogsRoleArn = logs.arn;
      this.dependables = [vpc, logs];
      return;
    }

    const partition = new DataAwsPartition(this, "partition");
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["dms.amazonaws.com"] }],
        },
      ],
    });
    const vpcRole = new IamRole(this, "vpc-role", {
      name: DMS_VPC_ROLE_NAME,
      description: "AWS DMS manages ENIs of replication instances (account-wide, fixed name)",
      assumeRolePolicy: trust.json,
    });
    const logsRole = new IamRole(this, "cloudwatch-logs-role", {
      name: DMS_CLOUDWATCH_LOGS_ROLE_NAME,
      description: "AWS DMS writes task logs to CloudWatch Logs (account-wide, fixed name)",
      assumeRolePolicy: trust.json,
    });
    const vpcAttach = new IamRolePolicyAttachment(this, "vpc-role-policy", {
      role: vpcRole.name,
      policyArn: `arn:${partition.partition}:iam::aws:policy/${DMS_VPC_MANAGEMENT_POLICY}`,
    });
    const logsAttach = new IamRolePolicyAttachment(this, "cloudwatch-logs-role-policy", {
      role: logsRole.name,
      policyArn: `arn:${partition.partition}:iam::aws:policy/${DMS_CLOUDWATCH_LOGS_POLICY}`,
    });
    this.vpcRoleArn = vpcRole.arn;
    this.cloudwatchLogsRoleArn = logsRole.arn;

    if (wait === 0) {
      this.dependables = [vpcAttach, logsAttach];
      return;
    }
    this.dependables = [timeSleep(this, "iam-propagation", `${wait}s`, [vpcAttach, logsAttach])];
  }
}
