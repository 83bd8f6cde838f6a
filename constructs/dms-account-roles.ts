import { Construct } from "constructs";
import { ITerraformDependable, TerraformElement } from "cdktf";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsIamRoles } from "@cdktf/provider-aws/lib/data-aws-iam-roles";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { timeSleep } from "./time-sleep";
import { assertValid } from "../model/checks";
import {
  DmsAccountRolesMode,
  DmsAccountRolesSettings,
  resolveDmsAccountRolesSettings,
  validateDmsAccountRolesSettings,
} from "./dms-account-roles-props";

/** The account-wide roles DMS looks up by these fixed names. */
export const DMS_VPC_ROLE_NAME = "dms-vpc-role";
export const DMS_CLOUDWATCH_LOGS_ROLE_NAME = "dms-cloudwatch-logs-role";
export const DMS_VPC_MANAGEMENT_POLICY = "service-role/AmazonDMSVPCManagementRole";
export const DMS_CLOUDWATCH_LOGS_POLICY = "service-role/AmazonDMSCloudWatchLogsRole";

/** The roles' settings (dms-account-roles-props.ts). */
export type DmsAccountRolesProps = DmsAccountRolesSettings;

/**
 * An `import` block with `for_each` (Terraform >= 1.7): adopts the resource `to` when the lookup finds it, does
 * nothing when it finds nothing, and is a no-op once the resource is in state. cdktf 0.21's `importFrom` has no
 * `for_each`, so the block is written here, for both JSON and HCL.
 */
export class ImportIfExists extends TerraformElement {
  constructor(
    scope: Construct,
    id: string,
    private readonly props: { readonly forEach: string[]; readonly to: string },
  ) {
    super(scope, id);
  }

  toTerraform(): Record<string, unknown> {
    return { import: [{ for_each: this.props.forEach, to: this.props.to, id: "${each.value}" }] };
  }

  toHclTerraform(): Record<string, unknown> {
    const attr = (value: unknown, storageClassType: string) => ({ value, type: "simple", storageClassType });
    return {
      import: [
        {
          for_each: attr(this.props.forEach, "list"),
          to: attr(this.props.to, "reference"),
          id: attr("${each.value}", "string"),
        },
      ],
    };
  }
}

/**
 * The two IAM roles AWS DMS needs in every account before the first replication subnet group and instance exist.
 * `dependables` is what DMS resources must depend on: in `lookup` mode the checked lookups; in `manage` mode the
 * policy attachments plus a short wait, which avoids "The IAM Role arn:aws:iam::...:role/dms-vpc-role is not
 * configured properly".
 */
export class DmsAccountRoles extends Construct {
  readonly mode: DmsAccountRolesMode;
  /** Resources DMS subnet groups and instances must depend on. */
  readonly dependables: ITerraformDependable[];
  /** `manage` mode: the roles (adopted or created). */
  readonly roles: IamRole[] = [];

  constructor(scope: Construct, id: string, props: DmsAccountRolesProps = {}) {
    super(scope, id);
    const settings = resolveDmsAccountRolesSettings(props);
    assertValid(validateDmsAccountRolesSettings(settings));
    this.mode = settings.mode;
    const wait = settings.propagationWaitSeconds;
    const roleNames = [DMS_VPC_ROLE_NAME, DMS_CLOUDWATCH_LOGS_ROLE_NAME];
    // An empty set rather than an error when the role does not exist (fact 17).
    const lookups = roleNames.map(
      (name, i) =>
        new DataAwsIamRoles(this, i === 0 ? "vpc-role-lookup" : "cloudwatch-logs-role-lookup", {
          nameRegex: `^${name}$`,
          lifecycle:
            this.mode === "lookup"
              ? {
                  postcondition: [
                    {
                      condition: "${length(self.names) == 1}",
                      errorMessage: `The IAM role ${name} does not exist in this account. Apply the account stack first (cdktf deploy account, or terraform apply in cdktf.out/stacks/account): it creates or adopts the DMS account roles.`,
                    },
                  ],
                }
              : undefined,
        }),
    );

    if (this.mode === "lookup") {
      this.dependables = lookups;
      return;
    }

    const partition = new DataAwsPartition(this, "partition");
    const account = new DataAwsCallerIdentity(this, "account");
    // Confused-deputy guard (fact 17): DMS may assume these roles only on behalf of this account. No aws:SourceArn:
    // with one on dms-cloudwatch-logs-role DMS stopped creating task log groups (terraform-aws-modules/terraform-aws-dms#84).
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["dms.amazonaws.com"] }],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] }],
        },
      ],
    });
    const specs = [
      {
        id: "vpc-role",
        name: DMS_VPC_ROLE_NAME,
        policy: DMS_VPC_MANAGEMENT_POLICY,
        description: "AWS DMS manages ENIs of replication instances (account-wide, fixed name)",
      },
      {
        id: "cloudwatch-logs-role",
        name: DMS_CLOUDWATCH_LOGS_ROLE_NAME,
        policy: DMS_CLOUDWATCH_LOGS_POLICY,
        description: "AWS DMS writes task logs to CloudWatch Logs (account-wide, fixed name)",
      },
    ];
    const attachments = specs.map((s, i) => {
      const role = new IamRole(this, s.id, {
        name: s.name,
        description: s.description,
        assumeRolePolicy: trust.json,
        // Every DMS replication in the account uses it: never destroyed by a plan.
        lifecycle: { preventDestroy: true },
      });
      this.roles.push(role);
      new ImportIfExists(this, `${s.id}-adopt`, {
        forEach: lookups[i].names,
        to: `${role.terraformResourceType}.${role.friendlyUniqueId}`,
      });
      return new IamRolePolicyAttachment(this, `${s.id}-policy`, {
        role: role.name,
        policyArn: `arn:${partition.partition}:iam::aws:policy/${s.policy}`,
      });
    });
    this.dependables = wait === 0 ? attachments : [timeSleep(this, "iam-propagation", `${wait}s`, attachments)];
  }
}
