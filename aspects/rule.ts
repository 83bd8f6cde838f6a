/**
 * The shape of a policy rule (cdk-nag v2): a pure function of one construct that says compliant, non-compliant
 * (with what is wrong) or not applicable. Rules read the provider classes' `xxxInput` getters only, never the
 * project's constructs, so a resource someone builds by hand is checked the same way.
 */
import { IConstruct } from "constructs";
import { DefaultTokenResolver, StringConcat, Token, Tokenization } from "cdktf";

export interface RuleContext {
  /** Environment name (dev, staging, prod, or a test's). */
  readonly environment: string;
  /** Production rules (deletion protection, multi-AZ) apply. */
  readonly production: boolean;
  /** The free-tier guard applies. */
  readonly freeTier: boolean;
  /** Tags every resource must carry (through the provider's default_tags). */
  readonly requiredTags: readonly string[];
  /** Every construct of the stack, for rules that need a sibling (an S3 bucket's versioning resource). */
  readonly all: readonly IConstruct[];
}

export type Finding =
  | { readonly status: "compliant" }
  | { readonly status: "not-applicable" }
  | { readonly status: "non-compliant"; readonly detail: string };

export interface PolicyRule {
  /** Stable id, e.g. `RDS2`. */
  readonly id: string;
  /** One line: what is wrong when it fires. */
  readonly cause: string;
  /** Why it matters and how to fix it. */
  readonly explanation: string;
  /** The matching checkov check, when one exists. */
  readonly checkov?: string;
  readonly level: "error" | "warning";
  evaluate(node: IConstruct, ctx: RuleContext): Finding;
}

export const COMPLIANT: Finding = { status: "compliant" };
export const NOT_APPLICABLE: Finding = { status: "not-applicable" };
export const nonCompliant = (detail: string): Finding => ({ status: "non-compliant", detail });

/** A literal value or undefined when it is an unresolved token (unknown at synth: rules do not guess). */
export function literal<T>(value: T | undefined): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" && Token.isUnresolved(value)) return undefined;
  if (typeof value === "number" && Token.isUnresolved(value)) return undefined;
  if (typeof value === "object" && Token.isUnresolved(value)) return undefined;
  return value;
}

/** A block input as an array (blocks come as an object or a list). */
export function blocks<T>(value: T | T[] | undefined | unknown): T[] {
  if (value === undefined || value === null || Token.isUnresolved(value)) return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}

/** Is a boolean input exactly true (not a token, not undefined)? */
export const isTrue = (v: unknown): boolean => v === true;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Class<T> = abstract new (...args: any[]) => T;

export interface ResourceRuleSpec<T> {
  readonly id: string;
  readonly cause: string;
  readonly explanation: string;
  readonly checkov?: string;
  /** @default "error" */
  readonly level?: "error" | "warning";
  /** Only in some environments (prod rules, the free-tier guard). */
  readonly when?: (ctx: RuleContext) => boolean;
  /** What is wrong, or undefined when compliant; `null` when the rule does not apply to this resource. */
  readonly check: (resource: T, ctx: RuleContext) => string | undefined | null;
}

/** A rule over one provider class. */
export function resourceRule<T>(cls: Class<T>, spec: ResourceRuleSpec<T>): PolicyRule {
  return {
    id: spec.id,
    cause: spec.cause,
    explanation: spec.explanation,
    checkov: spec.checkov,
    level: spec.level ?? "error",
    evaluate(node, ctx) {
      if (!(node instanceof cls)) return NOT_APPLICABLE;
      if (spec.when && !spec.when(ctx)) return NOT_APPLICABLE;
      const problem = spec.check(node as T, ctx);
      if (problem === null) return NOT_APPLICABLE;
      return problem === undefined ? COMPLIANT : nonCompliant(problem);
    },
  };
}

/** Resolves tokens in `value` to their Terraform text (`${aws_s3_bucket.x.id}`) in the scope of `node`. */
export function resolveText(node: IConstruct, value: unknown): string {
  const resolved = Tokenization.resolve(value, {
    scope: node,
    preparing: false,
    resolver: new DefaultTokenResolver(new StringConcat()),
  });
  return typeof resolved === "string" ? resolved : JSON.stringify(resolved);
}
