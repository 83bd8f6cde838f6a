/**
 * constructs/hcl-jsonencode.ts renders jsonencode() in one pass: on every shape it takes, the same text as cdktf's
 * Fn.jsonencode in the same stack, JSON and HCL; on every shape it does not take, Fn.jsonencode itself.
 */
import { App, Fn, Lazy, ref, TerraformOutput, TerraformStack, Testing, Token, Tokenization } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { jsonencode } from "../../constructs/hcl-jsonencode";

/** Both renderings of each value as outputs of one stack, synthesized; returns [ours, cdktf's] per case. */
function both(cases: Record<string, (bucket: S3Bucket) => unknown>, hcl = false): Record<string, [string, string]> {
  const app = Testing.app();
  const stack = new TerraformStack(app, "s");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  const bucket = new S3Bucket(stack, "b", { bucket: "x" });
  for (const [name, make] of Object.entries(cases)) {
    new TerraformOutput(stack, `${name}-ours`, { value: jsonencode(make(bucket)) });
    new TerraformOutput(stack, `${name}-cdktf`, { value: Fn.jsonencode(make(bucket)) });
  }
  if (hcl) {
    const text = stack.toHclTerraform().hcl as string;
    return Object.fromEntries(
      Object.keys(cases).map((name) => {
        const value = (suffix: string) =>
          new RegExp(`output "${name}-${suffix}" \\{\\n\\s*value = (.*)\\n`).exec(text)?.[1] ?? "?";
        return [name, [value("ours"), value("cdktf")]];
      }),
    );
  }
  const doc = JSON.parse(Testing.synth(stack)) as { output: Record<string, { value: string }> };
  return Object.fromEntries(
    Object.keys(cases).map((name) => [name, [doc.output[`${name}-ours`].value, doc.output[`${name}-cdktf`].value]]),
  );
}

const ONE_PASS: Record<string, (b: S3Bucket) => unknown> = {
  scalars: () => ({ n: 0, neg: -1.5, big: 1e21, small: 5e-7, t: true, f: false, z: null }),
  strings: () => ["", "plain", 'say "hi"', "back\\slash", "new\nline", "tab\t", "ünï 😀", '"', "'"],
  nested: () => ({
    widgets: [{ type: "metric", properties: { metrics: [["AWS/DMS", "CDCLatencySource", { stat: "Maximum" }]] } }],
    empty: [],
    none: {},
  }),
  references: (b) => ({ arn: b.arn, ids: [b.id, b.bucket], nested: { region: b.region } }),
  arrayAtTop: (b) => [1, "a", b.arn, [false, true]],
  lazyToken: () => ({ l: Lazy.stringValue({ produce: () => "aws_s3_bucket.b.id" }) }),
};

const HANDED_OVER: Record<string, (b: S3Bucket) => unknown> = {
  mixedString: (b) => ({ s: `arn is ${b.arn}` }),
  dollarBrace: () => ({ s: "literal ${not.a.ref}" }),
  quotedBothEnds: () => ({ s: '"already quoted"' }),
  undefinedMember: () => ({ a: 1, b: undefined }),
  numberToken: (b) => ({ n: Token.asNumber(b.id) }),
  listToken: (b) => ({ l: Token.asList(b.id) }),
  nan: () => ({ n: Number.NaN }),
  nullInArray: () => [null, true],
  nullAlone: () => null,
  numberListToken: () => ({ ports: Token.asNumberList(ref("var.ports")) }),
  numberListElement: () => [Token.asNumberList(ref("var.ports"))[0]],
  mapTokenKey: () => ({ [Token.asString(Token.asStringMap(ref("var.m")))]: 1 }),
};

test.each([
  ["JSON", false],
  ["HCL", true],
])("%s: the same text as Fn.jsonencode on every shape it renders itself", (_form, hcl) => {
  for (const [name, [ours, cdktf]] of Object.entries(both(ONE_PASS, hcl))) {
    expect([name, ours]).toEqual([name, cdktf]);
    expect(ours).toMatch(/jsonencode\(/);
  }
});

test("every other shape is Fn.jsonencode itself (same text), never a rendering of its own", () => {
  for (const [name, [ours, cdktf]] of Object.entries(both(HANDED_OVER))) expect([name, ours]).toEqual([name, cdktf]);
});

test("which path each shape takes: one pass for the first set, cdktf's own for the other", () => {
  const stack = new TerraformStack(new App(), "s");
  const bucket = new S3Bucket(stack, "b", { bucket: "x" });
  const kind = (make: (b: S3Bucket) => unknown) => Tokenization.reverse(jsonencode(make(bucket)))[0].constructor.name;
  for (const [name, make] of Object.entries(ONE_PASS)) expect([name, kind(make)]).toEqual([name, "JsonEncode"]);
  for (const [name, make] of Object.entries(HANDED_OVER)) expect([name, kind(make)]).toEqual([name, "FunctionCall"]);
});

/** Lone tokens that resolve to something other than a string: the one-pass token hands the value to cdktf then. */
const RESOLVED_NOT_STRING: Record<string, (b: S3Bucket) => unknown> = {
  list: () => ({ l: Token.asString(Lazy.anyValue({ produce: () => ["a", "b"] })) }),
  map: () => ({ m: Token.asString(Lazy.anyValue({ produce: () => ({ k: "v" }) })) }),
};

test.each([
  ["JSON", false],
  ["HCL", true],
])("%s: a lone token resolving to a list or a map renders as cdktf renders it", (_form, hcl) => {
  for (const [name, [ours, cdktf]] of Object.entries(both(RESOLVED_NOT_STRING, hcl)))
    expect([name, ours]).toEqual([name, cdktf]);
});

test("the references render as references (no braces, no quotes) inside the call", () => {
  const [[ours]] = Object.values(both({ r: (b) => ({ arn: b.arn }) }));
  expect(ours).toBe('${jsonencode({"arn" = aws_s3_bucket.b.arn})}');
});
