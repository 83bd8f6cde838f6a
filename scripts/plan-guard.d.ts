/** Types of scripts/plan-guard.js (the replacement guard), for the tests. */

export declare const EXIT: Readonly<{ OK: 0; BAD_INPUT: 1; HIT: 3 }>;

export interface GuardRule {
  /** What the resource is in this project. */
  readonly what: string;
  /** What replacing it costs, one line. */
  readonly consequence: string;
  /** What destroying it (without a replacement) costs, when that differs. */
  readonly onDestroy?: string;
  /** Narrows the type (aws_iam_role: the two DMS account roles, by name). */
  readonly match?: (change: unknown) => boolean;
}

export declare const GUARDED: Readonly<Record<string, GuardRule>>;
export declare const NOT_GUARDED: Readonly<Record<string, string>>;
export declare const DMS_ACCOUNT_ROLE_NAMES: readonly string[];

export declare class PlanGuardInputError extends Error {}

export interface GuardHit {
  address: string;
  type: string;
  action: "replace" | "destroy";
  actions: string[];
  /** "destroy, then create" or "create, then destroy" for a replacement. */
  order?: string;
  actionReason?: string;
  /** Attribute paths that force the replacement, formatted (`a.b[0]`), cut at a sensitive attribute. */
  replacePaths: string[];
  deposed?: string;
  what: string;
  consequence: string;
}

export interface GuardResult {
  hits: GuardHit[];
  /** Resource changes that do something (not no-op, not read). */
  changes: number;
}

/** A parsed plan (the parts the guard reads). */
export interface Plan {
  format_version: string;
  resource_changes?: unknown[];
  [key: string]: unknown;
}

/** Parses `terraform show -json <planfile>` output; throws PlanGuardInputError naming the problem. */
export declare function parsePlan(text: string): Plan;
export declare function findHits(plan: Plan): GuardResult;
export declare function renderMarkdown(result: GuardResult, options?: { allow?: boolean }): string;

export interface MainIo {
  stdout?: { write(s: string): unknown };
  stderr?: { write(s: string): unknown };
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env?: Record<string, string | undefined>;
}

/** The command line: resolves to the exit code. */
export declare function main(argv: string[], io?: MainIo): Promise<number>;
