import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AlertTopic } from "../../constructs/alert-topic";
import { ALERT_EMAIL_PATTERN } from "../../constructs/alert-topic-props";
import { TerraformJson, only, resources, synthJson } from "../helpers";

type Variable = {
  type: string;
  default: unknown;
  description: string;
  validation: { condition: string; error_message: string }[];
};
const variables = (json: TerraformJson) =>
  (json as TerraformJson & { variable?: Record<string, Variable> }).variable ?? {};
const subscriptions = (json: TerraformJson, protocol: string) =>
  resources(json, "aws_sns_topic_subscription").filter((r) => r.protocol === protocol);

describe("AlertTopic", () => {
  test("HTTPS subscriptions for webhooks and chat integrations, from the alert_https_endpoints variable", () => {
    // GIVEN an HTTPS endpoint in the props
    const json = synthJson(
      (s) =>
        new AlertTopic(s, "alerts", {
          httpsEndpoints: ["https://global.sns-api.chatbot.amazonaws.com"],
          encryption: "none",
        }),
    );
    // THEN it is the variable's default and one subscription resource iterates over the variable
    expect(variables(json).alert_https_endpoints).toMatchObject({
      type: "list(string)",
      default: ["https://global.sns-api.chatbot.amazonaws.com"],
    });
    expect(subscriptions(json, "https")).toEqual([
      expect.objectContaining({
        for_each: "${toset(var.alert_https_endpoints)}",
        endpoint: "${each.value}",
        endpoint_auto_confirms: false,
      }),
    ]);
  });

  describe("recipients are Terraform variables, so HCL/JSON users set them without a new synth", () => {
    const emails = ["a@example.com", "b@example.org", "c.d+alerts@sub.example.co.uk"];

    test("alert_emails is a list(string) variable whose default is the configured list", () => {
      const json = synthJson((s) => new AlertTopic(s, "alerts", { emails }));
      const v = variables(json).alert_emails;
      expect(v).toMatchObject({ type: "list(string)", default: emails });
      expect(v.description).toMatch(/E-mail addresses subscribed to the DMSAlertTopic alert topic/);
    });

    test("alert_emails validates that every element looks like an e-mail address", () => {
      const json = synthJson((s) => new AlertTopic(s, "alerts", { emails }));
      const [validation] = variables(json).alert_emails.validation;
      expect(validation.condition).toBe(
        `\${alltrue([for e in var.alert_emails : can(regex(${JSON.stringify(ALERT_EMAIL_PATTERN)}, e))])}`,
      );
      expect(validation.error_message).toMatch(/alert_emails must be an e-mail address/);
      // The pattern has no escapes, so JavaScript (props) and Terraform's RE2 (plan) read it alike.
      expect(ALERT_EMAIL_PATTERN).not.toMatch(/\\/);
      const re = new RegExp(ALERT_EMAIL_PATTERN);
      for (const good of [...emails, "ops@example.io"]) expect(re.test(good)).toBe(true);
      for (const bad of [
        "not-an-email",
        "a@b",
        "a b@example.com",
        "a@example..com",
        "a@-example.com",
        "@example.com",
        "a@example.com,b@example.com",
      ]) {
        expect(re.test(bad)).toBe(false);
      }
    });

    test("alert_https_endpoints validates https:// without user info and without a token parameter", () => {
      const json = synthJson((s) => new AlertTopic(s, "alerts", {}));
      const v = variables(json).alert_https_endpoints;
      expect(v).toMatchObject({ type: "list(string)", default: [] });
      expect(v.validation.map((x) => x.condition)).toEqual([
        '${alltrue([for u in var.alert_https_endpoints : can(regex("^https://[^/@[:space:]]+(/[^[:space:]]*)?$", u))])}',
        '${alltrue([for u in var.alert_https_endpoints : !can(regex("(?i)[?&](token|key|secret|sig|signature|password)=", u))])}',
      ]);
    });

    test("the e-mail subscriptions are one resource with for_each over alert_emails, the endpoint from the iterator", () => {
      const json = synthJson((s) => new AlertTopic(s, "alerts", { emails }));
      const email = subscriptions(json, "email");
      expect(email).toHaveLength(1);
      expect(email[0]).toMatchObject({ for_each: "${toset(var.alert_emails)}", endpoint: "${each.value}" });
      expect(email[0].topic_arn).toMatch(/^\$\{aws_sns_topic\.alerts_topic_\w+\.arn\}$/);
    });

    test("no subscription carries a literal address any more (none per address, whatever the count)", () => {
      const one = synthJson((s) => new AlertTopic(s, "alerts", { emails: emails.slice(0, 1) }));
      const three = synthJson(
        (s) => new AlertTopic(s, "alerts", { emails, httpsEndpoints: ["https://hooks.example.com/a"] }),
      );
      expect(Object.keys(one.resource?.aws_sns_topic_subscription ?? {})).toEqual(
        Object.keys(three.resource?.aws_sns_topic_subscription ?? {}),
      );
      const endpoints = resources(three, "aws_sns_topic_subscription").map((r) => r.endpoint);
      expect(endpoints).toEqual(["${each.value}", "${each.value}"]);
      // the addresses appear only as the variables' defaults
      for (const address of [...emails, "https://hooks.example.com/a"]) {
        expect(JSON.stringify(three.resource)).not.toContain(address);
      }
    });

    test("the HCL output declares the validated variables and iterates over them", () => {
      const stack = new TerraformStack(Testing.app(), "t");
      new AwsProvider(stack, "aws", { region: "us-east-1" });
      new AlertTopic(stack, "alerts", { emails });
      // cdktf renders an expression as "${...}" here; npm run synth:hcl formats it to the bare expression
      const hcl = String(Testing.synthHcl(stack));
      const expr = (e: string) => `"?(\\$\\{)?${e}`;
      expect(hcl).toMatch(
        new RegExp(
          `variable "alert_emails" \\{[^}]*type\\s*=\\s*list\\(string\\)\\s*validation \\{[^}]*condition\\s*=\\s*${expr("alltrue\\(\\[for e in var\\.alert_emails")}`,
        ),
      );
      expect(hcl).toMatch(
        new RegExp(`variable "alert_https_endpoints" \\{[^}]*type\\s*=\\s*list\\(string\\)\\s*validation \\{`),
      );
      const block = (head: string) => hcl.slice(hcl.indexOf(head), hcl.indexOf("\n}", hcl.indexOf(head)));
      const email = block('resource "aws_sns_topic_subscription" "alerts_email_');
      expect(email).toMatch(/protocol\s*=\s*"email"/);
      expect(email).toMatch(new RegExp(`endpoint\\s*=\\s*${expr("each\\.value")}`));
      expect(email).toMatch(new RegExp(`for_each\\s*=\\s*${expr("toset\\(var\\.alert_emails\\)")}`));
      expect(block('resource "aws_sns_topic_subscription" "alerts_https_')).toMatch(
        new RegExp(`for_each\\s*=\\s*${expr("toset\\(var\\.alert_https_endpoints\\)")}`),
      );
    });

    test("throws on a second AlertTopic in one stack (the variable names are per stack)", () => {
      expect(() =>
        synthJson((s) => {
          new AlertTopic(s, "alerts", { emails });
          new AlertTopic(s, "more-alerts", {});
        }),
      ).toThrow(
        /one AlertTopic per stack: its Terraform variables alert_emails and alert_https_endpoints are named per stack, and .*alerts already has them/,
      );
    });

    test("warns when no one is subscribed, naming the variable", () => {
      const stack = new TerraformStack(Testing.app(), "t");
      new AlertTopic(stack, "alerts", {});
      const warnings = stack.node
        .findAll()
        .flatMap((n) => n.node.metadata)
        .filter((m) => m.type === "@cdktf/warn")
        .map((m) => String(m.data));
      expect(warnings).toEqual([expect.stringMatching(/no one is subscribed to DMSAlertTopic: .*TF_VAR_alert_emails/)]);
    });
  });

  test("defaults to a customer-managed key and the DMSAlertTopic name", () => {
    const json = synthJson((s) => new AlertTopic(s, "alerts", { emails: ["a@example.com"] }));
    expect(only(json, "aws_sns_topic").name).toBe("DMSAlertTopic");
    expect(resources(json, "aws_kms_key")).toHaveLength(1);
    expect(only(json, "aws_kms_alias").name).toBe("alias/DMSAlertTopic");
  });
  test.each([
    [
      { httpsEndpoints: ["https://hooks.example.com/x?token=abc"] },
      /httpsEndpoints\[0\] must not embed a credential \(user info or a token parameter\), got "https:\/\/hooks.example.com\/x\?\.\.\."/,
    ],
    [{ httpsEndpoints: ["https://user:pw@hooks.example.com/x"] }, /httpsEndpoints\[0\] must not embed a credential/],
    [
      { httpsEndpoints: ["http://hooks.example.com"] },
      /httpsEndpoints\[0\] must be an https:\/\/ URL, got "http:\/\/hooks.example.com"/,
    ],
    [{ emails: ["ops@example.com", "not-an-email"] }, /emails\[1\] must be an e-mail address, got "not-an-email"/],
    [{ httpsEndpoints: ["https://hooks.example.com/x?sig=abc"] }, /httpsEndpoints\[0\] must not embed a credential/],
    [{ topicName: "bad name!" }, /topicName must be 1-256 letters, digits, hyphens or underscores, got "bad name!"/],
    [{ encryption: "aws-managed" as never }, /encryption must be one of "cmk", "none", got "aws-managed"/],
  ])("throws for %j", (props, message) => {
    expect(() => synthJson((s) => new AlertTopic(s, "alerts", props))).toThrow(message);
  });
});
