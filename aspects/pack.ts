/**
 * The policy pack (cdk-nag v2 shape): an Aspect that runs every rule on every construct of a stack and reports
 * non-compliance through Annotations (errors fail synth), naming the resource, the rule id, the cause and the fix.
 * Suppressions are explicit, per construct (and its children), with a reason of 10+ characters, and reported as
 * INFO lines in the synth output.
 */
import { IConstruct } from "constructs";
import { Annotations, IAspect, TerraformStack } from "cdktf";
import { PolicyRule, RuleContext } from "./rule";
import { CW1 } from "./rules/cw1-alarm-actions";
import { DMS1 } from "./rules/dms1-instance-not-public";
import { DMS2 } from "./rules/dms2-endpoint-secrets";
import { DMS3 } from "./rules/dms3-target-tls";
import { DMS4 } from "./rules/dms4-task-logging-validation";
import { DMS5 } from "./rules/dms5-multi-az-prod";
import { EC21 } from "./rules/ec21-imdsv2";
import { EC22 } from "./rules/ec22-encrypted-root-volume";
import { EC23 } from "./rules/ec23-instance-profile";
import { EC24 } from "./rules/ec24-no-key-pair";
import { EC25 } from "./rules/ec25-no-ssh-ingress";
import { FT1 } from "./rules/ft1-ec2-free-tier";
import { FT2 } from "./rules/ft2-rds-free-tier";
import { FT3 } from "./rules/ft3-dms-free-tier";
import { FT4 } from "./rules/ft4-no-nat-gateway";
import { FT5 } from "./rules/ft5-no-interface-endpoints";
import { FT6 } from "./rules/ft6-public-ipv4";
import { IAM1 } from "./rules/iam1-no-admin-statements";
import { LOG1 } from "./rules/log1-retention";
import { RDS1 } from "./rules/rds1-storage-encrypted";
import { RDS2 } from "./rules/rds2-not-public";
import { RDS3 } from "./rules/rds3-backups";
import { RDS4 } from "./rules/rds4-managed-password";
import { RDS5 } from "./rules/rds5-tls-required";
import { RDS6 } from "./rules/rds6-minor-upgrades";
import { RDS7 } from "./rules/rds7-copy-tags-to-snapshot";
import { RDS8 } from "./rules/rds8-deletion-protection-prod";
import { RDS9 } from "./rules/rds9-multi-az-prod";
import { RDS10 } from "./rules/rds10-log-exports";
import { RDS11 } from "./rules/rds11-no-extended-support";
import { S31 } from "./rules/s31-bucket-encrypted";
import { S32 } from "./rules/s32-bucket-versioned";
import { S33 } from "./rules/s33-public-access-blocked";
import { S34 } from "./rules/s34-tls-only";
import { SEC1 } from "./rules/sec1-no-literal-secrets";
import { SG1 } from "./rules/sg1-no-world-ingress";
import { SG2 } from "./rules/sg2-rule-descriptions";
import { SG3 } from "./rules/sg3-mysql-from-groups-only";
import { SNS1 } from "./rules/sns1-topic-encrypted";
import { SNS2 } from "./rules/sns2-no-aws-managed-key";
import { TAG1 } from "./rules/tag1-default-tags";

/** Every rule, in the order RULES.md lists them. */
export const ALL_RULES: readonly PolicyRule[] = [
  RDS1,
  RDS2,
  RDS3,
  RDS4,
  RDS5,
  RDS6,
  RDS7,
  RDS8,
  RDS9,
  RDS10,
  RDS11,
  EC21,
  EC22,
  EC23,
  EC24,
  EC25,
  SG1,
  SG2,
  SG3,
  DMS1,
  DMS2,
  DMS3,
  DMS4,
  DMS5,
  SNS1,
  SNS2,
  LOG1,
  CW1,
  IAM1,
  S31,
  S32,
  S33,
  S34,
  SEC1,
  FT1,
  FT2,
  FT3,
  FT4,
  FT5,
  FT6,
  TAG1,
];

/** The tags every resource carries. */
export const REQUIRED_TAGS = ["Project", "Environment", "ManagedBy"] as const;

const SUPPRESSION_KEY = "dms-migrate:suppression";
export const MIN_REASON_LENGTH = 10;

export interface Suppression {
  readonly ruleId: string;
  readonly reason: string;
}

/**
 * Suppresses a rule on a construct and everything below it. Throws on an unknown rule id or a reason shorter than
 * 10 characters: a suppression must say why.
 */
export function suppressRule(scope: IConstruct, ruleId: string, reason: string): void {
  if (!ALL_RULES.some((r) => r.id === ruleId)) {
    throw new Error(`suppression on ${scope.node.path}: unknown rule id ${JSON.stringify(ruleId)}`);
  }
  if (typeof reason !== "string" || reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(
      `suppression of ${ruleId} on ${scope.node.path} needs a reason of ${MIN_REASON_LENGTH}+ characters, got ${JSON.stringify(reason)}`,
    );
  }
  scope.node.addMetadata(SUPPRESSION_KEY, { ruleId, reason: reason.trim() } satisfies Suppression);
}

/** Suppressions that apply to a node (its own and its ancestors'). */
export function suppressionsOf(node: IConstruct): Suppression[] {
  return node.node.scopes.flatMap((s) =>
    s.node.metadata.filter((m) => m.type === SUPPRESSION_KEY).map((m) => m.data as Suppression),
  );
}

export interface PolicyPackProps {
  /** Environment name. */
  readonly environment: string;
  /** Production-only rules (deletion protection, multi-AZ). */
  readonly production: boolean;
  /** The free-tier guard (dev by default, opt-in elsewhere). */
  readonly freeTierGuard: boolean;
  /** @default the full pack */
  readonly rules?: readonly PolicyRule[];
}

/** Applies the rules to every construct of a stack. Add it with `Aspects.of(stack).add(new PolicyPack(...))`. */
export class PolicyPack implements IAspect {
  private readonly rules: readonly PolicyRule[];
  private context?: RuleContext;
  /** Findings reported, for tests and summaries: ruleId, path, detail, suppressed reason. */
  readonly findings: { ruleId: string; path: string; detail: string; level: string; suppressedBecause?: string }[] = [];

  constructor(private readonly props: PolicyPackProps) {
    this.rules = props.rules ?? ALL_RULES;
  }

  visit(node: IConstruct): void {
    const ctx = this.contextFor(node);
    for (const rule of this.rules) {
      const finding = rule.evaluate(node, ctx);
      if (finding.status !== "non-compliant") continue;
      const suppression = suppressionsOf(node).find((s) => s.ruleId === rule.id);
      const message = `[${rule.id}] ${rule.cause} ${finding.detail}. Fix: ${rule.explanation}`;
      this.findings.push({
        ruleId: rule.id,
        path: node.node.path,
        detail: finding.detail,
        level: rule.level,
        suppressedBecause: suppression?.reason,
      });
      if (suppression) {
        Annotations.of(node).addInfo(`[${rule.id}] suppressed: ${suppression.reason} (${finding.detail})`);
      } else if (rule.level === "error") {
        Annotations.of(node).addError(message);
      } else {
        Annotations.of(node).addWarning(message);
      }
    }
  }

  private contextFor(node: IConstruct): RuleContext {
    if (!this.context) {
      let stack: IConstruct = node;
      try {
        stack = TerraformStack.of(node);
      } catch {
        // a construct outside a stack (unit tests of single rules): its own tree
      }
      this.context = {
        environment: this.props.environment,
        production: this.props.production,
        freeTier: this.props.freeTierGuard,
        requiredTags: REQUIRED_TAGS,
        all: stack.node.findAll(),
      };
    }
    return this.context;
  }
}
