import { parseTableSelection, tableSelection } from "../../model/table-selection";

describe("table selection", () => {
  test("parses includes and exclusions in order, duplicates removed; schemas are the included ones, sorted, once", () => {
    const s = tableSelection(["shop.%", "!shop.tmp_%", "crm.customers", "shop.orders", "shop.%"]);
    expect(s.rules).toEqual([
      { exclude: false, schema: "shop", table: "%" },
      { exclude: true, schema: "shop", table: "tmp_%" },
      { exclude: false, schema: "crm", table: "customers" },
      { exclude: false, schema: "shop", table: "orders" },
    ]);
    expect(s.schemas).toEqual(["crm", "shop"]);
  });

  test("an exclusion may use a wildcard schema; an include may not", () => {
    expect(tableSelection(["shop.%", "!%.audit_%"]).schemas).toEqual(["shop"]);
    expect(parseTableSelection(["%.orders"]).problems).toEqual([
      'migration.tables[0] must name its schema without a wildcard (the DMS users are granted per schema), got "%.orders"',
    ]);
  });

  test.each([
    [["ecommerce"], 'tables[0] must be "schema.table" (DMS % wildcard allowed, leading ! excludes), got "ecommerce"'],
    [
      ["ecommerce.orders.id"],
      'tables[0] must be "schema.table" (DMS % wildcard allowed, leading ! excludes), got "ecommerce.orders.id"',
    ],
    [["a.b c"], 'tables[0] must be "schema.table" (DMS % wildcard allowed, leading ! excludes), got "a.b c"'],
    [["!a.b"], 'tables must include at least one "schema.table" selection, got ["!a.b"]'],
    [[], 'tables must include at least one "schema.table" selection, got []'],
  ])("refuses %j, naming the field and the value", (entries, message) => {
    expect(parseTableSelection(entries, "tables").problems).toContain(message);
    expect(() => tableSelection(entries as string[])).toThrow(message);
  });

  test("refuses what is not a list of strings", () => {
    expect(parseTableSelection("shop.%").problems).toEqual([
      'migration.tables must be a list of "schema.table" selections, got "shop.%"',
    ]);
    expect(parseTableSelection([42]).problems[0]).toBe(
      'migration.tables[0] must be "schema.table" (DMS % wildcard allowed, leading ! excludes), got 42',
    );
  });
});
