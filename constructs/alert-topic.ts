import { Construct } from "constructs";
import { Annotations, TerraformIterator, TerraformStack, TerraformVariable, VariableType } from "cdktf";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";

/** Services that publish to the alert topic: CloudWatch alarms and DMS event subscriptions. */
export const ALERT_PUBLISHERS = ["cloudwatch.amazonaws.com", "dms.amazonaws.com"] as const;

/**
 * Names of the stack's Terraform variables holding the recipients. Fixed names, so a user of the synthesized
 * JSON/HCL sets them with `-var 'alert_emails=["ops@example.com"]'` or `TF_VAR_alert_emails`; hence one
 * AlertTopic per stack.
 */
export const ALERT_EMAILS_VARIABLE = "alert_emails";
export const ALERT_HTTPS_ENDPOINTS_VARIABLE = "alert_https_endpoints";

/**
 * What an alert e-mail address must look like, written so that JavaScript and Terraform's regex (RE2) read it the
 * same way (no escapes: `[.]` for a dot): checked on the props at synth and in the variable's validation at plan.
 */
export const ALERT_EMAIL_PATTERN =
  "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?([.][A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$";

/** An HTTPS endpoint: https://, a host without user info, an optional path (Terraform's variable validation; RE2). */
const HTTPS_ENDPOINT_TF_PATTERN = "^https://[^/@[:space:]]+(/[^[:space:]]*)?$";
/** A query parameter that carries a credential (token, key, signature, ...): refused in props and variable alike. */
const CREDENTIAL_PARAMETER = "[?&](token|key|secret|sig|signature|password)=";

export interface AlertTopicProps {
  /** SNS topic name. @default "DMSAlertTopic" */
  readonly topicName?: string;
  /**
   * `cmk`: encrypted with a customer-managed KMS key ($1/month) whose policy lets CloudWatch and DMS publish.
   * `none`: unencrypted (free). Never the AWS managed `alias/aws/sns` key: alarms cannot publish to it.
   * @default "cmk"
   */
  readonly encryption?: "cmk" | "none";
  /**
   * E-mail addresses subscribed (each must confirm): the default of the stack's `alert_emails` Terraform variable,
   * which a plan can override without a new synth.
   * @default - none, with a synth warning
   */
  readonly emails?: readonly string[];
  /**
   * HTTPS endpoints subscribed (webhooks, chat integrations): the default of the `alert_https_endpoints` variable.
   * @default - none
   */
  readonly httpsEndpoints?: readonly string[];
}

/**
 * The SNS topic every alarm and DMS event goes to, with a topic policy that lets only CloudWatch alarms and DMS
 * events of this account publish (over TLS), an optional customer-managed key, and the subscriptions.
 *
 * The recipients are Terraform variables of the stack (`alert_emails`, `alert_https_endpoints`, list(string),
 * validated at plan), defaulting to the props: the subscriptions are one resource each with `for_each` over them,
 * so whoever runs the synthesized JSON/HCL sets recipients with `-var` or `TF_VAR_...` without re-synthesizing.
 */
export class AlertTopic extends Construct {
  readonly topic: SnsTopic;
  readonly topicArn: string;
  readonly kmsKey?: KmsKey;
  /** The `alert_emails` variable (list(string)); its default is `props.emails`. */
  readonly emailsVariable: TerraformVariable;
  /** The `alert_https_endpoints` variable (list(string)); its default is `props.httpsEndpoints`. */
  readonly httpsEndpointsVariable: TerraformVariable;
  /** The e-mail subscriptions: one resource, an instance per element of `alert_emails`. */
  readonly emailSubscriptions: SnsTopicSubscription;
  /** The HTTPS subscriptions: one resource, an instance per element of `alert_https_endpoints`. */
  readonly httpsSubscriptions: SnsTopicSubscription;

  constructor(scope: Construct, id: string, props: AlertTopicProps = {}) {
    super(scope, id);
    const topicName = props.topicName ?? "DMSAlertTopic";
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(topicName)) {
      throw new Error(`topicName must be 1-256 letters, digits, hyphens or underscores, got ${JSON.stringify(topicName)}`);
    }
    const emails = [...(props.emails ?? [])];
    const httpsEndpoints = [...(props.httpsEndpoints ?? [])];
    emails.forEach((email, i) => {
      if (!new RegExp(ALERT_EMAIL_PATTERN).test(email)) throw new Error(`emails[${i}] must be an e-mail address, got ${JSON.stringify(email)}`);
    });
    httpsEndpoints.forEach((url, i) => {
      if (!/^https:\/\/[^\s]+$/.test(url)) throw new Error(`httpsEndpoints[${i}] must be an https:// URL, got ${JSON.stringify(url)}`);
      // Synthesized Terraform is reviewed in pull requests: a URL carrying a credential would leak it there.
      if (/^https:\/\/[^/]*@/.test(url) || new RegExp(CREDENTIAL_PARAMETER, "i").test(url)) {
        throw new Error(`httpsEndpoints[${i}] must not embed a credential (user info or a token parameter), got ${url.replace(/\?.*$/, "?...")}`);
      }
    });
    const other = TerraformStack.of(this).node.findAll().find((c) => c !== this && c instanceof AlertTopic);
    if (other) {
      throw new Error(
        `one AlertTopic per stack: its Terraform variables ${ALERT_EMAILS_VARIABLE} and ${ALERT_HTTPS_ENDPOINTS_VARIABLE} are named per stack, and ${other.node.path} already has them`,
      );
    }
    const encryption = props.encryption ?? "cmk";
    if (encryption !== "cmk" && encryption !== "none") throw new Error(`encryption must be "cmk" or "none", got ${JSON.stringify(encryption)}`);
    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");

    if (encryption === "cmk") {
      const keyPolicy = new DataAwsIamPolicyDocument(this, "key-policy", {
        statement: [
          {
            sid: "AccountAdministers",
            actions: ["kms:*"],
            resources: ["*"],
            principals: [{ type: "AWS", identifiers: [`arn:${partition.partition}:iam::${account.accountId}:root`] }],
          },
          {
            sid: "AlarmsAndDmsEventsPublish",
            actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
            resources: ["*"],
            principals: [{ type: "Service", identifiers: [...ALERT_PUBLISHERS] }],
            condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] }],
          },
        ],
      });
      this.kmsKey = new KmsKey(this, "key", {
        description: `Encrypts the ${topicName} alert topic; CloudWatch alarms and DMS events may use it`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: keyPolicy.json,
      });
      new KmsAlias(this, "key-alias", { name: `alias/${topicName}`, targetKeyId: this.kmsKey.keyId });
    }

    this.topic = new SnsTopic(this, "topic", { name: topicName, kmsMasterKeyId: this.kmsKey?.arn });
    this.topicArn = this.topic.arn;

    const statements: DataAwsIamPolicyDocumentStatement[] = [
      {
        sid: "AccountManagesTopic",
        actions: ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
        resources: [this.topic.arn],
        principals: [{ type: "AWS", identifiers: ["*"] }],
        condition: [{ test: "StringEquals", variable: "AWS:SourceOwner", values: [account.accountId] }],
      },
      ...ALERT_PUBLISHERS.map((service) => ({
        sid: service.startsWith("cloudwatch") ? "CloudWatchAlarmsPublish" : "DmsEventsPublish",
        actions: ["sns:Publish"],
        resources: [this.topic.arn],
        principals: [{ type: "Service", identifiers: [service] }],
        condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] }],
      })),
      {
        sid: "DenyInsecureTransport",
        effect: "Deny",
        actions: ["sns:Publish"],
        resources: [this.topic.arn],
        principals: [{ type: "*", identifiers: ["*"] }],
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
    ];
    const policy = new DataAwsIamPolicyDocument(this, "topic-policy-document", { statement: statements });
    new SnsTopicPolicy(this, "topic-policy", { arn: this.topic.arn, policy: policy.json });

    this.emailsVariable = new TerraformVariable(this, "emails", {
      type: VariableType.LIST_STRING,
      description: `E-mail addresses subscribed to the ${topicName} alert topic (each must confirm the subscription)`,
      default: emails,
      validation: [
        {
          condition: `\${alltrue([for e in var.${ALERT_EMAILS_VARIABLE} : can(regex("${ALERT_EMAIL_PATTERN}", e))])}`,
          errorMessage: "Every element of alert_emails must be an e-mail address such as ops@example.com.",
        },
      ],
    });
    this.emailsVariable.overrideLogicalId(ALERT_EMAILS_VARIABLE);
    this.httpsEndpointsVariable = new TerraformVariable(this, "https-endpoints", {
      type: VariableType.LIST_STRING,
      description: `HTTPS endpoints (webhooks, AWS Chatbot) subscribed to the ${topicName} alert topic`,
      default: httpsEndpoints,
      validation: [
        {
          condition: `\${alltrue([for u in var.${ALERT_HTTPS_ENDPOINTS_VARIABLE} : can(regex("${HTTPS_ENDPOINT_TF_PATTERN}", u))])}`,
          errorMessage: "Every element of alert_https_endpoints must be an https:// URL without user info (user:password@).",
        },
        {
          condition: `\${alltrue([for u in var.${ALERT_HTTPS_ENDPOINTS_VARIABLE} : !can(regex("(?i)${CREDENTIAL_PARAMETER}", u))])}`,
          errorMessage: "No element of alert_https_endpoints may carry a credential in its query (token=, key=, secret=, sig=, signature=, password=): plans show it.",
        },
      ],
    });
    this.httpsEndpointsVariable.overrideLogicalId(ALERT_HTTPS_ENDPOINTS_VARIABLE);

    const emailIterator = TerraformIterator.fromList(this.emailsVariable.listValue);
    this.emailSubscriptions = new SnsTopicSubscription(this, "email", {
      forEach: emailIterator,
      topicArn: this.topic.arn,
      protocol: "email",
      endpoint: emailIterator.value,
    });
    const httpsIterator = TerraformIterator.fromList(this.httpsEndpointsVariable.listValue);
    this.httpsSubscriptions = new SnsTopicSubscription(this, "https", {
      forEach: httpsIterator,
      topicArn: this.topic.arn,
      protocol: "https",
      endpoint: httpsIterator.value,
      endpointAutoConfirms: false,
    });
    if (emails.length === 0 && httpsEndpoints.length === 0) {
      Annotations.of(this).addWarning(
        `no one is subscribed to ${topicName}: set monitoring.alertEmails (e.g. DMS_MIGRATE_<ENV>_ALERT_EMAILS), or ${ALERT_EMAILS_VARIABLE} at plan (-var / TF_VAR_${ALERT_EMAILS_VARIABLE}), so alarms reach a person`,
      );
    }
  }
}
