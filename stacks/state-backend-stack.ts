import { Construct } from "constructs";
import { Aspects, LocalBackend, TerraformOutput } from "cdktf";
import { AppStack } from "./app-stack";
import { PolicyPack } from "../aspects/pack";
import { TaggingAspect } from "../aspects/tagging";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { StateBackend } from "../constructs/state-backend";

export interface StateBackendStackProps {
  /** The bucket's name; "" names it after the account and region (dms-migrate-tfstate-<account id>-<region>). */
  readonly bucketName: string;
  readonly region: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The bootstrap stack: creates the S3 bucket the environment stacks keep their state in. Its own state is local
 * (`terraform.state-backend.tfstate`): apply it once per account, then keep that file safe or migrate it into the
 * bucket (`terraform init -migrate-state`, see README).
 */
export class StateBackendStack extends AppStack {
  readonly backend: StateBackend;

  constructor(scope: Construct, id: string, props: StateBackendStackProps) {
    super(scope, id);
    // Relative to cdktf.out/stacks/state-backend: the state file lives in the project root, outside cdktf.out
    // (which every synth replaces). It is git-ignored; keep it safe or migrate it into the bucket.
    new LocalBackend(this, { path: "../../../terraform.state-backend.tfstate" });
    new AwsProvider(this, "aws", { region: props.region });
    Aspects.of(this).add(new TaggingAspect(props.tags));
    Aspects.of(this).add(new PolicyPack({ environment: id, production: false, freeTierGuard: false }));
    // S3 names are global (fact 18): unless one is chosen, the account id makes it unique.
    const bucketName =
      props.bucketName !== ""
        ? props.bucketName
        : `dms-migrate-tfstate-${new DataAwsCallerIdentity(this, "account").accountId}-${props.region}`;
    this.backend = new StateBackend(this, "state", { bucketName });
    new TerraformOutput(this, "state_bucket", {
      value: this.backend.bucket.bucket,
      description:
        "S3 bucket holding the other stacks' Terraform state: set DMS_MIGRATE_STATE_BUCKET (or state.bucket) to it",
    });
  }
}
