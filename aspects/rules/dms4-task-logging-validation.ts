import { IConstruct } from "constructs";
import { DmsReplicationConfig } from "@cdktf/provider-aws/lib/dms-replication-config";
import { DmsReplicationTask } from "@cdktf/provider-aws/lib/dms-replication-task";
import { COMPLIANT, NOT_APPLICABLE, PolicyRule, literal, nonCompliant } from "../rule";

export const DMS4: PolicyRule = {
  id: "DMS4",
  cause: "The DMS task runs without CloudWatch logging or without data validation.",
  explanation:
    "Set Logging.EnableLogging and ValidationSettings.EnableValidation to true in the task settings: errors must reach the task log (its alarm) and every row must be validated before cutover.",
  level: "error",
  evaluate(node: IConstruct) {
    let settings: string | undefined;
    if (node instanceof DmsReplicationTask) settings = literal(node.replicationTaskSettingsInput);
    else if (node instanceof DmsReplicationConfig) settings = literal(node.replicationSettingsInput);
    else return NOT_APPLICABLE;
    if (!settings) return nonCompliant("no task settings (DMS defaults: logging and validation off)");
    let parsed: { Logging?: { EnableLogging?: boolean }; ValidationSettings?: { EnableValidation?: boolean } };
    try {
      parsed = JSON.parse(settings);
    } catch {
      return nonCompliant("task settings are not valid JSON");
    }
    const problems = [
      parsed.Logging?.EnableLogging === true ? "" : "Logging.EnableLogging is not true",
      parsed.ValidationSettings?.EnableValidation === true ? "" : "ValidationSettings.EnableValidation is not true",
    ].filter(Boolean);
    return problems.length === 0 ? COMPLIANT : nonCompliant(problems.join("; "));
  },
};
