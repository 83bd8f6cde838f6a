import { Annotations, S3Backend, TerraformStack } from "cdktf";

/** Where the stacks keep their Terraform state: the bucket of the `state-backend` stack. */
export interface StateLocation {
  /** The bucket; "" when not chosen yet (then `terraform init` asks for it, see {@link stateBackend}). */
  readonly bucket: string;
  readonly region: string;
}

/** The state bucket name the `state-backend` stack suggests for an account: global names must not collide (fact 18). */
export const SUGGESTED_STATE_BUCKET = "dms-migrate-tfstate-<account id>-<region>";

/**
 * The S3 backend of a stack, key `dms-migrate/<name>/terraform.tfstate`, encrypted, with S3-native locking
 * (Terraform >= 1.10; cdktf 0.21's S3Backend has no typed field for it).
 *
 * S3 bucket names are global, so no default name is safe: a fixed one collides for the second user of this
 * repository, or points at a stranger's bucket. While `state.bucket` is unset the backend is written without
 * `bucket` (a partial configuration): `terraform init` then refuses with "The attribute "bucket" is required by
 * the backend" until `-backend-config=bucket=<name>` or `state.bucket` / `DMS_MIGRATE_STATE_BUCKET` names it, and
 * synth says so.
 */
export function stateBackend(stack: TerraformStack, name: string, state: StateLocation): S3Backend {
  const backend = new S3Backend(stack, {
    bucket: state.bucket,
    key: `dms-migrate/${name}/terraform.tfstate`,
    region: state.region,
    encrypt: true,
  });
  backend.addOverride("use_lockfile", true);
  if (state.bucket === "") {
    backend.addOverride("bucket", undefined);
    Annotations.of(stack).addWarning(
      `state.bucket is not set: terraform init for stack ${stack.node.id} refuses until it is. Apply the state-backend stack, ` +
        `then set DMS_MIGRATE_STATE_BUCKET (or state.bucket) to its output state_bucket (${SUGGESTED_STATE_BUCKET}), ` +
        `or pass terraform init -backend-config=bucket=<name>`,
    );
  }
  return backend;
}
