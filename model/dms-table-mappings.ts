/**
 * DMS table mappings generated from the environment's table selection (`schema.table`, `%` wildcard, `!` excludes)
 * plus optional transformation rules. The heartbeat table dmsctl writes is always included, so end-to-end latency
 * can be measured without touching business tables.
 */
import { HEARTBEAT_SCHEMA, HEARTBEAT_TABLE } from "./names";
import { SELECTION_NAME, TableSelection, TableSelectionRule } from "./table-selection";

/** DMS transformation rule actions this project supports (DMS guide, "Transformation rules and actions"). */
export const TRANSFORMATION_ACTIONS = [
  "rename",
  "convert-lowercase",
  "convert-uppercase",
  "add-prefix",
  "remove-prefix",
  "add-suffix",
  "remove-suffix",
  "remove-column",
] as const;
export type TransformationAction = (typeof TRANSFORMATION_ACTIONS)[number];

export interface TableTransformation {
  /** What the rule renames or changes. */
  readonly target: "schema" | "table" | "column";
  /** `schema`, `schema.table` or `schema.table.column` (DMS `%` wildcard allowed). */
  readonly objectLocator: string;
  readonly action: TransformationAction;
  /** New name, prefix or suffix (for rename / add-* / remove-*). */
  readonly value?: string;
}

export interface TableMappingsProps {
  /** The parsed table selection (model/table-selection.ts). */
  readonly tables: TableSelection;
  readonly transformations?: readonly TableTransformation[];
  /** Include the dmsctl heartbeat table. @default true */
  readonly includeHeartbeat?: boolean;
}

interface ObjectLocator {
  "schema-name": string;
  "table-name"?: string;
  "column-name"?: string;
}

export interface DmsRule {
  "rule-type": "selection" | "transformation";
  "rule-id": string;
  "rule-name": string;
  "rule-action": string;
  "object-locator": ObjectLocator;
  "rule-target"?: string;
  value?: string;
  filters?: unknown[];
}

export interface DmsTableMappings {
  rules: DmsRule[];
}

/** Builds the table mappings document (rule ids are stable: selections first, then transformations). */
export function buildTableMappings(props: TableMappingsProps): DmsTableMappings {
  const rules: DmsRule[] = [];
  let id = 0;
  const seen = new Set<string>();
  const all: TableSelectionRule[] = [...props.tables.rules];
  if (props.includeHeartbeat ?? true) all.push({ exclude: false, schema: HEARTBEAT_SCHEMA, table: HEARTBEAT_TABLE });
  for (const s of all) {
    const key = `${s.exclude ? "!" : ""}${s.schema}.${s.table}`;
    if (seen.has(key)) continue;
    seen.add(key);
    id++;
    rules.push({
      "rule-type": "selection",
      "rule-id": String(id),
      "rule-name": `${s.exclude ? "exclude" : "include"}-${s.schema}-${s.table}`.replace(/%/g, "all"),
      "object-locator": { "schema-name": s.schema, "table-name": s.table },
      "rule-action": s.exclude ? "exclude" : "include",
      filters: [],
    });
  }
  for (const [i, t] of (props.transformations ?? []).entries()) {
    const field = `transformations[${i}]`;
    if (!["schema", "table", "column"].includes(t.target)) {
      throw new Error(`${field}.target must be one of schema, table, column, got ${JSON.stringify(t.target)}`);
    }
    if (!(TRANSFORMATION_ACTIONS as readonly string[]).includes(t.action)) {
      throw new Error(
        `${field}.action must be one of ${TRANSFORMATION_ACTIONS.join(", ")}, got ${JSON.stringify(t.action)}`,
      );
    }
    const parts = t.objectLocator.split(".");
    const expected = { schema: 1, table: 2, column: 3 }[t.target];
    if (parts.length !== expected || !parts.every((p) => SELECTION_NAME.test(p))) {
      throw new Error(
        `${field}.objectLocator must be ${["schema", "schema.table", "schema.table.column"][expected - 1]} for a ${t.target} rule, got ${JSON.stringify(t.objectLocator)}`,
      );
    }
    if (t.action === "remove-column" && t.target !== "column") {
      throw new Error(`${field}: remove-column needs target "column", got ${JSON.stringify(t.target)}`);
    }
    const needsValue = ["rename", "add-prefix", "remove-prefix", "add-suffix", "remove-suffix"].includes(t.action);
    if (needsValue && !t.value)
      throw new Error(`${field}.value is required for ${t.action}, got ${JSON.stringify(t.value)}`);
    id++;
    const locator: ObjectLocator = { "schema-name": parts[0] };
    if (parts[1]) locator["table-name"] = parts[1];
    if (parts[2]) locator["column-name"] = parts[2];
    rules.push({
      "rule-type": "transformation",
      "rule-id": String(id),
      "rule-name": `${t.action}-${t.target}-${i + 1}`,
      "rule-target": t.target,
      "object-locator": locator,
      "rule-action": t.action,
      ...(needsValue ? { value: t.value } : {}),
    });
  }
  return { rules };
}
