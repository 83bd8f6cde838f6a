import { Construct } from "constructs";
import { Annotations } from "cdktf";
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

export interface AlertTopicProps {
  /** SNS topic name. @default "DMSAlertTopic" */
  readonly topicName?: string;
  /**
   * `cmk`: encrypted with a customer-managed KMS key ($1/month) whose policy lets CloudWatch and DMS publish.
   * `none`: unencrypted (free). Never the AWS managed `alias/aws/sns` key: alarms cannot publish to it.
   * @default "cmk"
   */
  readonly encryption?: "cmk" | "none";
  /** E-mail addresses subscribed (each must confirm). @default - none, with a synth warning */
  readonly emails?: readonly string[];
  /** HTTPS endpoints subscribed (webhooks, chat integrations). @default - none */
  readonly httpsEndpoints?: readonly string[];
}

/**
 * The SNS topic every alarm and DMS event goes to, with a topic policy that lets only CloudWatch alarms and DMS
 * events of this account publish (over TLS), an optional customer-managed key, and the subscriptions.
 */
export class AlertTopic extends Construct {
  readonly topic: SnsTopic;
  readonly topicArn: string;
  readonly kmsKey?: KmsKey;

  constructor(scope: Construct, id: string, props: AlertTopicProps = {}) {
    super(scope, id);
    const topicName = props.topicName ?? "DMSAlertTopic";
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(topicName)) {
      throw new Error(`topicName must be 1-256 letters, digits, hyphens or underscores, got ${JSON.stringify(topicName)}`);
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

    const emails = props.emails ?? [];
    emails.forEach((email, i) => {
      new SnsTopicSubscription(this, `email-${i}`, { topicArn: this.topic.arn, protocol: "email", endpoint: email });
    });
    (props.httpsEndpoints ?? []).forEach((url, i) => {
      if (!/^https:\/\/[^\s]+$/.test(url)) throw new Error(`httpsEndpoints[${i}] must be an https:// URL, got ${JSON.stringify(url)}`);
      // Synthesized Terraform is reviewed in pull requests: a URL carrying a credential would leak it there.
      if (/^https:\/\/[^/]*@|[?&](token|key|secret|sig|signature|password)=/i.test(url)) {
        throw new Error(`httpsEndpoints[${i}] must not embed a credential (user info or a token parameter), got ${url.replace(/\?.*$/, "?...")}`);
      }
      new SnsTopicSubscription(this, `https-${i}`, { topicArn: this.topic.arn, protocol: "https", endpoint: url, endpointAutoConfirms: false });
    });
    if (emails.length === 0 && (props.httpsEndpoints ?? []).length === 0) {
      Annotations.of(this).addWarning(
        `no one is subscribed to ${topicName}: set monitoring.alertEmails (e.g. DMS_MIGRATE_<ENV>_ALERT_EMAILS) so alarms reach a person`,
      );
    }
  }
}
