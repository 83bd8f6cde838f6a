/**
 * The one way settings are checked, by configuration and constructs alike: each check names the field and the value
 * ("target.backupRetentionDays must be an integer between 1 and 35, got 40"), and a validator returns every problem
 * at once instead of stopping at the first. Provider-free.
 */

/** A value as a message shows it: JSON where it has one. */
export function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/**
 * A value cdktf has not resolved yet, checked by Terraform instead: a string token ("${TfToken[...]}", a
 * reference) or a number token (a NaN-space double whose top 16 bits are cdktf's marker 0xfdff / 0xfbff).
 */
export function isToken(value: unknown): boolean {
  if (typeof value === "string") return value.includes("${");
  if (typeof value !== "number") return false;
  const high = new Uint32Array(new Float64Array([value]).buffer)[1] >>> 16;
  return high === 0xfdff || high === 0xfbff;
}

/** Collects problems of one settings object; fields are named relative to it (a prefix names where it sits). */
export class Checks {
  readonly problems: string[] = [];

  /** `prefix`: e.g. "target." when the settings are the environment's `target`; "" in a construct. */
  constructor(private readonly prefix = "") {}

  bad(field: string, rule: string, value: unknown): void {
    this.problems.push(`${this.prefix}${field} ${rule}, got ${show(value)}`);
  }

  int(field: string, v: unknown, min: number, max: number): void {
    if (isToken(v)) return;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
      this.bad(field, `must be an integer between ${min} and ${max}`, v);
  }

  bool(field: string, v: unknown): void {
    if (typeof v !== "boolean") this.bad(field, "must be true or false", v);
  }

  oneOf(field: string, v: unknown, allowed: readonly unknown[]): void {
    if (isToken(v)) return;
    if (!allowed.includes(v)) this.bad(field, `must be one of ${allowed.map((a) => show(a)).join(", ")}`, v);
  }

  matches(field: string, v: unknown, pattern: RegExp, rule: string): void {
    if (isToken(v)) return;
    if (typeof v !== "string" || !pattern.test(v)) this.bad(field, rule, v);
  }
}

/** Thrown by a construct whose props fail their validator: every problem, one per line. */
export function assertValid(problems: readonly string[]): void {
  if (problems.length > 0) throw new Error(problems.join("\n"));
}

/** Retention values CloudWatch Logs accepts (days). */
export const CLOUDWATCH_LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
