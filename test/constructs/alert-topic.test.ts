import { Construct } from "constructs";
import { AlertTopic } from "../../constructs/alert-topic";
import { DmsAccountRoles } from "../../constructs/dms-account-roles";
import { DmsReplication } from "../../constructs/dms-replication";
import { Monitoring, MonitoringProps } from "../../constructs/monitoring";
import { Network } from "../../constructs/network";
import { SourceMysql } from "../../constructs/source-mysql";
import { TargetRds } from "../../constructs/target-rds";
import { only, resources, synthJson } from "../helpers";

describe("AlertTopic", () => {
  test("HTTPS subscriptions for webhooks and chat integrations", () => {
    const json = synthJson((s) => new AlertTopic(s, "alerts", { httpsEndpoints: ["https://global.sns-api.chatbot.amazonaws.com"], encryption: "none" }));
    expect(only(json, "aws_sns_topic_subscription")).toMatchObject({ protocol: "https", endpoint: "https://global.sns-api.chatbot.amazonaws.com" });
  });
  test("defaults to a customer-managed key and the DMSAlertTopic name", () => {
    const json = synthJson((s) => new AlertTopic(s, "alerts", { emails: ["a@example.com"] }));
    expect(only(json, "aws_sns_topic").name).toBe("DMSAlertTopic");
    expect(resources(json, "aws_kms_key")).toHaveLength(1);
    expect(only(json, "aws_kms_alias").name).toBe("alias/DMSAlertTopic");
  });
  test.each([
    [{ httpsEndpoints: ["https://hooks.example.com/x?token=abc"] }, /httpsEndpoints\[0\] must not embed a credential \(user info or a token parameter\), got https:\/\/hooks.example.com\/x\?\.\.\./],
    [{ httpsEndpoints: ["https://user:pw@hooks.example.com/x"] }, /httpsEndpoints\[0\] must not embed a credential/],
    [{ httpsEndpoints: ["http://hooks.example.com"] }, /httpsEndpoints\[0\] must be an https:\/\/ URL, got "http:\/\/hooks.example.com"/],
    [{ topicName: "bad name!" }, /topicName must be 1-256 letters, digits, hyphens or underscores, got "bad name!"/],
    [{ encryption: "aws-managed" as never }, /encryption must be "cmk" or "none", got "aws-managed"/],
  ])("throws for %j", (props, message) => {
    expect(() => synthJson((s) => new AlertTopic(s, "alerts", props))).toThrow(message);
  });
});

describe("Monitoring validation", () => {
  function build(scope: Construct, props: Partial<MonitoringProps>): void {
    const network = new Network(scope, "network", { namePrefix: "t", secretsManagerEndpoint: true });
    const target = new TargetRds(scope, "target", { namePrefix: "t", network });
    const source = new SourceMysql(scope, "source", { namePrefix: "t", network, ec2: {} });
    const accountRoles = new DmsAccountRoles(scope, "roles");
    const dms = new DmsReplication(scope, "dms", { namePrefix: "t", region: "us-east-1", network, source, target, accountRoles, tables: ["a.%"] });
    const alertTopic = new AlertTopic(scope, "alerts", { emails: ["a@example.com"] });
    new Monitoring(scope, "monitoring", { namePrefix: "t", region: "us-east-1", alertTopic, dms, target, source, ...props });
  }
  test.each([
    [{ cdcLatencyThresholdSeconds: 0 }, /cdcLatencyThresholdSeconds must be a number > 0 and <= 86400, got 0/],
    [{ cdcLatencyEvaluationMinutes: 0 }, /cdcLatencyEvaluationMinutes must be an integer >= 1 and <= 60, got 0/],
    [{ fullLoadStallMinutes: 7 }, /fullLoadStallMinutes must be a multiple of 5, got 7/],
    [{ cpuThresholdPercent: 150 }, /cpuThresholdPercent must be a number >= 1 and <= 100, got 150/],
    [{ rdsConnectionsThreshold: 2.5 }, /rdsConnectionsThreshold must be an integer >= 1 and <= 100000, got 2.5/],
  ])("throws for %j", (props, message) => {
    expect(() => synthJson((s) => build(s, props))).toThrow(message);
  });
  test("a stall window of 0 removes the full-load stall alarm", () => {
    const json = synthJson((s) => build(s, { fullLoadStallMinutes: 0 }));
    expect(resources(json, "aws_cloudwatch_metric_alarm").map((a) => a.alarm_name)).not.toContain("t-dms-full-load-stalled");
  });
});
