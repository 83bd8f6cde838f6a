import { Construct } from "constructs";
import { Aspects, TerraformOutput } from "cdktf";
import { AppStack } from "./app-stack";
import { PolicyPack } from "../aspects/pack";
import { TaggingAspect } from "../aspects/tagging";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DMS_CLOUDWATCH_LOGS_ROLE_NAME, DMS_VPC_ROLE_NAME, DmsAccountRoles } from "../constructs/dms-account-roles";
import { StateLocation, stateBackend } from "./state";

export interface AccountStackProps {
  /** Region of the provider (IAM is global; any region of the account works). */
  readonly region: string;
  readonly state: StateLocation;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * What exists once per AWS account, whatever environments live there: the DMS account roles `dms-vpc-role` and
 * `dms-cloudwatch-logs-role`, created, or adopted when the DMS console already made them, and protected with
 * `prevent_destroy`. Apply it after the state-backend stack and before any environment; destroying an environment
 * never touches it. One synth serves one account (its state bucket); synthesize other accounts separately.
 */
export class AccountStack extends AppStack {
  readonly roles: DmsAccountRoles;

  constructor(scope: Construct, id: string, props: AccountStackProps) {
    super(scope, id);
    stateBackend(this, id, props.state);
    new AwsProvider(this, "aws", { region: props.region });
    Aspects.of(this).add(new TaggingAspect(props.tags));
    Aspects.of(this).add(new PolicyPack({ environment: id, production: false, freeTierGuard: false }));
    this.roles = new DmsAccountRoles(this, "dms-account-roles", { mode: "manage" });
    const [vpcRole, logsRole] = this.roles.roles;
    new TerraformOutput(this, "dms_vpc_role_arn", { value: vpcRole.arn, description: `ARN of ${DMS_VPC_ROLE_NAME}` });
    new TerraformOutput(this, "dms_cloudwatch_logs_role_arn", {
      value: logsRole.arn,
      description: `ARN of ${DMS_CLOUDWATCH_LOGS_ROLE_NAME}`,
    });
  }
}
