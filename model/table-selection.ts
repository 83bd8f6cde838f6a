/**
 * The table-selection grammar of `migration.tables`: `schema.table` with DMS's `%` wildcard, a leading `!` excludes
 * (e.g. `["ecommerce.%", "!ecommerce.tmp_%"]`). Parsed once into a {@link TableSelection}: the configuration check
 * reports its problems, the stack reads the migrated schemas from it, the DMS table mappings its rules.
 * Provider-free: no cdktf, no provider bindings.
 */

/** One selection rule: include or exclude `schema.table` (either may hold the `%` wildcard; an include's schema may not). */
export interface TableSelectionRule {
  readonly exclude: boolean;
  readonly schema: string;
  readonly table: string;
}

/** A parsed, valid table selection. */
export interface TableSelection {
  /** The rules in the order given, duplicates removed. */
  readonly rules: readonly TableSelectionRule[];
  /** The schemas the included rules name, sorted, each once (the DMS users are granted per schema). */
  readonly schemas: readonly string[];
}

/** A schema, table or column name as DMS selection and transformation rules take it (`%` is DMS's wildcard). */
export const SELECTION_NAME = /^[A-Za-z0-9_$%-]+$/;

/**
 * Parses a table selection; returns the selection, or the problems (each names `field[i]` and the value) when it is
 * not valid. Refuses: anything but a list of "schema.table" strings, a list without an included table, and an
 * included schema with a wildcard (`%.orders` would pull in the system schemas and cannot be granted).
 */
export function parseTableSelection(
  entries: unknown,
  field = "migration.tables",
): { selection?: TableSelection; problems: string[] } {
  const problems: string[] = [];
  if (!Array.isArray(entries))
    return { problems: [`${field} must be a list of "schema.table" selections, got ${JSON.stringify(entries)}`] };
  const rules: TableSelectionRule[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    const text = typeof entry === "string" ? entry : "";
    const exclude = text.startsWith("!");
    const parts = (exclude ? text.slice(1) : text).split(".");
    if (typeof entry !== "string" || parts.length !== 2 || !parts.every((p) => SELECTION_NAME.test(p))) {
      problems.push(
        `${field}[${i}] must be "schema.table" (DMS % wildcard allowed, leading ! excludes), got ${JSON.stringify(entry)}`,
      );
      return;
    }
    if (!exclude && parts[0].includes("%")) {
      problems.push(
        `${field}[${i}] must name its schema without a wildcard (the DMS users are granted per schema), got ${JSON.stringify(entry)}`,
      );
      return;
    }
    if (seen.has(text)) return;
    seen.add(text);
    rules.push({ exclude, schema: parts[0], table: parts[1] });
  });
  if (!entries.some((e) => typeof e === "string" && !e.startsWith("!"))) {
    problems.push(`${field} must include at least one "schema.table" selection, got ${JSON.stringify(entries)}`);
  }
  if (problems.length > 0) return { problems };
  const schemas = [...new Set(rules.filter((r) => !r.exclude).map((r) => r.schema))].sort();
  return { selection: { rules, schemas }, problems };
}

/** {@link parseTableSelection} for code that holds a selection already checked: throws with every problem. */
export function tableSelection(entries: readonly string[], field = "tables"): TableSelection {
  const { selection, problems } = parseTableSelection(entries, field);
  if (!selection) throw new Error(problems.join("; "));
  return selection;
}
