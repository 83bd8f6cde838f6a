import * as fs from "fs";
import * as path from "path";
import { ALL_RULES } from "../../aspects/pack";
import { renderRulesMarkdown } from "../../aspects/rules-doc";
import { dev } from "../../environments/dev";
import { prod } from "../../environments/prod";
import { staging } from "../../environments/staging";

describe("RULES.md", () => {
  const suppressions = [dev, staging, prod].flatMap((e) =>
    e.policy.suppressions.map((s) => ({ environment: e.name, ...s })),
  );
  const expected = renderRulesMarkdown(ALL_RULES, suppressions);

  test("lists every rule and every environment suppression, exactly as the code has them (npm run rules:md)", () => {
    const actual = fs.readFileSync(path.resolve(__dirname, "..", "..", "RULES.md"), "utf8");
    expect(actual).toBe(expected);
  });

  test("every rule id is unique and every rule has a cause and an explanation", () => {
    expect(new Set(ALL_RULES.map((r) => r.id)).size).toBe(ALL_RULES.length);
    for (const r of ALL_RULES) {
      expect(r.cause.length).toBeGreaterThan(10);
      expect(r.explanation.length).toBeGreaterThan(20);
    }
  });

  test("a rule missing from the file would be caught", () => {
    const withoutOne = renderRulesMarkdown(ALL_RULES.slice(1), suppressions);
    expect(withoutOne).not.toBe(expected);
  });
});
