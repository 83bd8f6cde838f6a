import { Construct } from "constructs";
import { Annotations, TerraformIterator, TerraformStack, TerraformVariable, VariableType } from "cdktf";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import {
  DataAwsIamPolicyDocument,
  DataAwsIamPolicyDocumentStatement,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { assertValid } from "../model/checks";
import {
  ALERT_EMAIL_PATTERN,
  AlertTopicSettings,
  CREDENTIAL_PARAMETER,
  HTTPS_ENDPOINT_PATTERN,
  resolveAlertTopicSettings,
  validateAlertTopicSettings,
} from "./alert-topic-props";

/** Services that publish to the alert topic: CloudWatch alarms and DMS event subscriptions. */
export const ALERT_PUBLISHERS = ["cloudwatch.amazonaws.com", "dms.amazonaws.com"] as const;

/**
 * Names of the stack's Terraform variables holding the recipients. Fixed names, so a user of the synthesized
 * JSON/HCL sets them with `-var 'alert_emails=["ops@example.com"]'` or `TF_VAR_alert_emails`; hence one
 * AlertTopic per stack.
 */
export const ALERT_EMAILS_VARIABLE = "alert_emails";
export const ALERT_HTTPS_ENDPOINTS_VARIABLE = "alert_https_endpoints";

/** The topic's settings (alert-topic-props.ts). */
export type AlertTopicProps = AlertTopicSettings;

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
    const settings = resolveAlertTopicSettings(props);
    assertValid(validateAlertTopicSettings(settings));
    const { topicName, encryption } = settings;
    const emails = [...settings.emails];
    const httpsEndpoints = [...settings.httpsEndpoints];
    const other = TerraformStack.of(this)
      .node.findAll()
      .find((c) => c !== this && c instanceof AlertTopic);
    if (other) {
      throw new Error(
        `one AlertTopic per stack: its Terraform variables ${ALERT_EMAILS_VARIABLE} and ${ALERT_HTTPS_ENDPOINTS_VARIABLE} are named per stack, and ${other.node.path} already has them`,
      );
    }
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
        actions: [
          "SNS:GetTopicAttributes",
          "SNS:SetTopicAttributes",
          "SNS:AddPermission",
          "SNS:RemovePermission",
          "SNS:DeleteTopic",
          "SNS:Subscribe",
          "SNS:ListSubscriptionsByTopic",
          "SNS:Publish",
        ],
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
          condition: `\${alltrue([for u in var.${ALERT_HTTPS_ENDPOINTS_VARIABLE} : can(regex("${HTTPS_ENDPOINT_PATTERN}", u))])}`,
          errorMessage:
            "Every element of alert_https_endpoints must be an https:// URL without user info (user:password@).",
        },
        {
          condition: `\${alltrue([for u in var.${ALERT_HTTPS_ENDPOINTS_VARIABLE} : !can(regex("(?i)${CREDENTIAL_PARAMETER}", u))])}`,
          errorMessage:
            "No element of alert_https_endpoints may carry a credential in its query (token=, key=, secret=, sig=, signature=, password=): plans show it.",
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
