import { tableSelection } from "../../model/table-selection";
import { buildTableMappings } from "../../model/dms-table-mappings";
import { buildTaskSettings } from "../../model/dms-task-settings";

describe("buildTableMappings", () => {
  test("includes, excludes, the heartbeat, then transformations, with unique numeric rule ids", () => {
    const m = buildTableMappings({
      tables: tableSelection(["shop.%", "!shop.tmp_%", "crm.customers"]),
      transformations: [
        { target: "schema", objectLocator: "shop", action: "rename", value: "shop_v2" },
        { target: "column", objectLocator: "crm.customers.ssn", action: "remove-column" },
        { target: "table", objectLocator: "shop.%", action: "convert-lowercase" },
      ],
    });
    expect(m.rules.map((r) => [r["rule-id"], r["rule-type"], r["rule-action"]])).toEqual([
      ["1", "selection", "include"],
      ["2", "selection", "exclude"],
      ["3", "selection", "include"],
      ["4", "selection", "include"],
      ["5", "transformation", "rename"],
      ["6", "transformation", "remove-column"],
      ["7", "transformation", "convert-lowercase"],
    ]);
    expect(m.rules[4]).toMatchObject({
      "rule-target": "schema",
      "object-locator": { "schema-name": "shop" },
      value: "shop_v2",
    });
    expect(m.rules[5]["object-locator"]).toEqual({
      "schema-name": "crm",
      "table-name": "customers",
      "column-name": "ssn",
    });
    expect(m.rules[6]).not.toHaveProperty("value");
    expect(new Set(m.rules.map((r) => r["rule-name"])).size).toBe(m.rules.length);
  });

  test("the heartbeat can be left out and duplicates collapse", () => {
    const m = buildTableMappings({ tables: tableSelection(["a.b", "a.b"]), includeHeartbeat: false });
    expect(m.rules).toHaveLength(1);
  });

  test.each([
    [
      { tables: ["a.b"], transformations: [{ target: "index", objectLocator: "a", action: "rename", value: "x" }] },
      /transformations\[0\]\.target must be one of schema, table, column, got "index"/,
    ],
    [
      { tables: ["a.b"], transformations: [{ target: "table", objectLocator: "a.b", action: "explode" }] },
      /transformations\[0\]\.action must be one of .*got "explode"/,
    ],
    [
      { tables: ["a.b"], transformations: [{ target: "table", objectLocator: "a", action: "rename", value: "x" }] },
      /transformations\[0\]\.objectLocator must be schema.table for a table rule, got "a"/,
    ],
    [
      { tables: ["a.b"], transformations: [{ target: "table", objectLocator: "a.b", action: "rename" }] },
      /transformations\[0\]\.value is required for rename, got undefined/,
    ],
    [
      { tables: ["a.b"], transformations: [{ target: "table", objectLocator: "a.b", action: "remove-column" }] },
      /remove-column needs target "column", got "table"/,
    ],
  ])("throws for %j", (props, message) => {
    expect(() => buildTableMappings({ ...props, tables: tableSelection(props.tables) } as never)).toThrow(message);
  });
});

describe("buildTaskSettings", () => {
  test("full LOB mode when lobMaxSizeKb is 0", () => {
    expect(buildTaskSettings({ lobMaxSizeKb: 0 }).TargetMetadata).toMatchObject({
      FullLobMode: true,
      LimitedSizeLobMode: false,
    });
  });
  test("batch apply and DROP_AND_CREATE when asked", () => {
    const s = buildTaskSettings({ batchApply: true, targetTablePrepMode: "DROP_AND_CREATE", validation: false });
    expect([
      s.TargetMetadata.BatchApplyEnabled,
      s.FullLoadSettings.TargetTablePrepMode,
      s.ValidationSettings.EnableValidation,
    ]).toEqual([true, "DROP_AND_CREATE", false]);
  });
  test.each([
    [
      { targetTablePrepMode: "REPLACE" },
      /targetTablePrepMode must be one of "DO_NOTHING", "TRUNCATE_BEFORE_LOAD", "DROP_AND_CREATE", got "REPLACE"/,
    ],
    [{ maxFullLoadSubTasks: 50 }, /maxFullLoadSubTasks must be an integer between 1 and 49, got 50/],
    [{ lobMaxSizeKb: -1 }, /lobMaxSizeKb must be an integer between 0 \(full LOB mode\) and 102400, got -1/],
    [{ batchApply: true, lobMaxSizeKb: 0 }, /batchApply needs limited LOB mode \(lobMaxSizeKb > 0\), got true/],
  ])("throws for %j", (props, message) => {
    expect(() => buildTaskSettings(props as never)).toThrow(message);
  });
});
