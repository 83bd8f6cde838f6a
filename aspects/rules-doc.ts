/** Renders RULES.md from the rule pack and the environments' suppressions (a test keeps the file in sync). */
import { PolicyRule } from "./rule";

export interface DocumentedSuppression {
  readonly environment: string;
  readonly ruleId: string;
  readonly path: string;
  readonly reason: string;
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderRulesMarkdown(
  rules: readonly PolicyRule[],
  suppressions: readonly DocumentedSuppression[],
): string {
  const lines = [
    "# Policy rules",
    "",
    "Generated from `aspects/` by `npm run rules:md`; `npm test` fails when this file and the code disagree.",
    "Every rule runs on every stack at synth (`aspects/pack.ts`); an `error` finding fails `npm run synth` with the",
    "resource path, the rule id, the cause and the fix. Production rules apply to `prod`; the free-tier guard (FT*)",
    "applies where `policy.freeTierGuard` is true (dev by default).",
    "",
    "| Rule ID | Cause | Explanation | checkov | Level |",
    "| --- | --- | --- | --- | --- |",
    ...rules.map((r) => `| ${r.id} | ${cell(r.cause)} | ${cell(r.explanation)} | ${r.checkov ?? "-"} | ${r.level} |`),
    "",
    "## Suppressions",
    "",
    "Suppressions are explicit, per construct (and its children), with a reason of 10+ characters. They are set in",
    "an environment's `policy.suppressions` (`{ruleId, path, reason}`, path relative to the stack) or in code with",
    "`suppressRule(construct, ruleId, reason)`, and printed as `INFO [<path>]: [<rule>] suppressed: <reason>` by synth.",
    "",
    "| Environment | Rule ID | Path | Reason |",
    "| --- | --- | --- | --- |",
    ...suppressions.map((s) => `| ${s.environment} | ${s.ruleId} | \`${s.path}\` | ${cell(s.reason)} |`),
    "",
  ];
  return lines.join("\n");
}
