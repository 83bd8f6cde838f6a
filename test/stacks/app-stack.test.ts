/**
 * stacks/app-stack.ts: the app's stacks skip cdktf's preparing pass, so a reference from one stack to another's
 * resource must stop synth with both names (not be written as a reference to a resource the stack lacks). Stock
 * cdktf stacks keep their cross-stack references.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AppStack, CrossStackReferenceError } from "../../stacks/app-stack";

class Plain extends TerraformStack {}
class Ours extends AppStack {}

const made: string[] = [];

function twoStacks(kind: typeof Plain | typeof Ours) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "app-stack-"));
  made.push(outdir);
  const app = new App({ outdir });
  const a = new kind(app, "a");
  new AwsProvider(a, "aws", { region: "us-east-1" });
  const bucket = new S3Bucket(a, "bucket", { bucket: "a-bucket" });
  const b = new kind(app, "b");
  new AwsProvider(b, "aws", { region: "us-east-1" });
  new TerraformOutput(b, "arn", { value: bucket.arn });
  return { app, outdir };
}

afterEach(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

test("a reference to another stack's resource stops synth, naming both stacks and the reference", () => {
  const { app, outdir } = twoStacks(Ours);
  expect(() => app.synth()).toThrow(CrossStackReferenceError);
  expect(() => app.synth()).toThrow(
    "b references aws_s3_bucket.bucket.arn of stack a: this app's stacks do not reference each other (find the resource by name with a data source instead)",
  );
  expect(fs.existsSync(path.join(outdir, "stacks", "b", "cdk.tf.json"))).toBe(false);
});

test("stock cdktf stacks still turn it into a cross-stack lookup (the guard only catches what was not prepared)", () => {
  const { app, outdir } = twoStacks(Plain);
  app.synth();
  const b = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "b", "cdk.tf.json"), "utf8"));
  expect(b.data.terraform_remote_state).toBeDefined();
  expect(JSON.stringify(b.output)).toMatch(/data\.terraform_remote_state\.cross-stack-reference-input-a/);
});
