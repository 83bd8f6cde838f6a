import { IConstruct } from "constructs";
import { CloudwatchCompositeAlarm } from "@cdktf/provider-aws/lib/cloudwatch-composite-alarm";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { COMPLIANT, NOT_APPLICABLE, PolicyRule, blocks, nonCompliant } from "../rule";

export const CW1: PolicyRule = {
  id: "CW1",
  cause: "A CloudWatch alarm has no action.",
  explanation: "Give every alarm an alarm action (the alert topic): an alarm nobody hears is only a graph.",
  level: "error",
  evaluate(node: IConstruct) {
    if (!(node instanceof CloudwatchMetricAlarm) && !(node instanceof CloudwatchCompositeAlarm)) return NOT_APPLICABLE;
    if (node.actionsEnabledInput === false) return nonCompliant("actions_enabled is false");
    return blocks(node.alarmActionsInput).length > 0 ? COMPLIANT : nonCompliant("alarm_actions is empty");
  },
};
