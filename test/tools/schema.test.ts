import * as mysql from "mysql2/promise";
import { MariaDbServer, startMariaDb } from "../harness/mariadb";
import { renderSampleSchemaSql } from "../../model/source-sql";
import { normalizeDdl, splitForeignKeys } from "../../tools/dmsctl/schema";
import { dmsctl } from "./run";

interface SchemaOut {
  events: { table: string; action: string; detail?: string }[];
  drift: { table: string; detail: string }[];
}

describe("dmsctl schema (two independent servers)", () => {
  let source: MariaDbServer;
  let target: MariaDbServer;
  let s: mysql.Connection;
  let t: mysql.Connection;
  const run = (extra: string[] = []) => dmsctl(["schema", "--source", source.url(), "--target", target.url(), "--schema", "ecommerce", "--format", "json", ...extra]);

  beforeAll(async () => {
    [source, target] = await Promise.all([startMariaDb(), startMariaDb()]);
    s = await source.connect();
    t = await target.connect();
    await s.query(renderSampleSchemaSql());
    await s.query("INSERT INTO ecommerce.products (sku, name, price) VALUES ('a', 'A', 1), ('b', 'B', 2)");
    await s.query("CREATE TRIGGER ecommerce.orders_qty BEFORE INSERT ON ecommerce.orders FOR EACH ROW SET NEW.quantity = GREATEST(NEW.quantity, 1)");
  });
  afterAll(async () => {
    await s?.end();
    await t?.end();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  test("creates the tables with keys, indexes, charset and AUTO_INCREMENT, holding back foreign keys and triggers", async () => {
    const r = await run();
    expect(r.code).toBe(0);
    const out = r.json<SchemaOut>();
    expect(out.events.map((e) => [e.table, e.action])).toEqual([
      ["ecommerce.orders", "created"],
      ["ecommerce.products", "created"],
    ]);
    expect(out.events[0].detail).toBe("1 foreign key(s) held back until --finalize");
    const [[ddl]] = (await t.query("SHOW CREATE TABLE ecommerce.products")) as unknown as [Record<string, string>[]];
    expect(ddl["Create Table"]).toMatch(/UNIQUE KEY `uq_products_sku` \(`sku`\)/);
    expect(ddl["Create Table"]).toMatch(/AUTO_INCREMENT=3/);
    expect(ddl["Create Table"]).toMatch(/CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci/);
    const [[orders]] = (await t.query("SHOW CREATE TABLE ecommerce.orders")) as unknown as [Record<string, string>[]];
    expect(orders["Create Table"]).not.toMatch(/FOREIGN KEY/);
    expect(orders["Create Table"]).toMatch(/KEY `ix_orders_ordered_at`/);
    const [trig] = await t.query<mysql.RowDataPacket[]>("SELECT 1 FROM information_schema.triggers WHERE trigger_schema = 'ecommerce'");
    expect(trig).toHaveLength(0);
  });

  test("is idempotent", async () => {
    const r = await run();
    expect(r.json<SchemaOut>().events.map((e) => e.action)).toEqual(["unchanged", "unchanged"]);
    expect(r.code).toBe(0);
  });

  test("refuses to touch a non-empty target table whose definition differs, and reports the drift (exit 1)", async () => {
    await t.query("ALTER TABLE ecommerce.products ADD COLUMN legacy INT; INSERT INTO ecommerce.products (sku, name, price) VALUES ('z', 'Z', 9)");
    const r = await run();
    expect(r.code).toBe(1);
    const out = r.json<SchemaOut>();
    expect(out.events.find((e) => e.table === "ecommerce.products")).toMatchObject({ action: "refused", detail: expect.stringMatching(/has rows \(use --force/) });
    expect(out.drift).toEqual([{ table: "ecommerce.products", detail: "definition differs" }]);
    const [[n]] = (await t.query("SELECT COUNT(*) AS n FROM ecommerce.products")) as unknown as [{ n: number }[]];
    expect(Number(n.n)).toBe(1);
    // text output names it too
    const text = await dmsctl(["schema", "--source", source.url(), "--target", target.url(), "--schema", "ecommerce"]);
    expect(text.out).toMatch(/drift:\n[\s\S]*ecommerce\.products\s+definition differs/);
  });

  test("--force recreates it; an empty differing table is recreated without --force", async () => {
    const forced = await run(["--force"]);
    expect(forced.json<SchemaOut>().events.find((e) => e.table === "ecommerce.products")?.action).toBe("recreated");
    await t.query("ALTER TABLE ecommerce.products ADD COLUMN again INT");
    const r = await run();
    expect(r.json<SchemaOut>().events.find((e) => e.table === "ecommerce.products")?.action).toBe("recreated");
    expect(r.code).toBe(0);
  });

  test("--finalize adds the held-back foreign keys and triggers, once", async () => {
    const r = await run(["--finalize"]);
    expect(r.json<SchemaOut>().events.map((e) => [e.table, e.action])).toEqual([
      ["ecommerce.orders", "foreign-key-added"],
      ["ecommerce.orders", "trigger-created"],
    ]);
    const [[orders]] = (await t.query("SHOW CREATE TABLE ecommerce.orders")) as unknown as [Record<string, string>[]];
    expect(orders["Create Table"]).toMatch(/CONSTRAINT `fk_orders_product` FOREIGN KEY \(`product_id`\) REFERENCES `products` \(`id`\)/);
    const again = await run(["--finalize"]);
    expect(again.json<SchemaOut>().events).toEqual([]);
  });

  test("fails on a schema the source does not have (exit 2)", async () => {
    const r = await dmsctl(["schema", "--source", source.url(), "--target", target.url(), "--schema", "nowhere"]);
    expect([r.code, r.err]).toEqual([2, expect.stringMatching(/schema "nowhere" does not exist on the source/)]);
  });

  test("splitForeignKeys / normalizeDdl", () => {
    const ddl = "CREATE TABLE `o` (\n  `id` int NOT NULL,\n  `p` int,\n  PRIMARY KEY (`id`),\n  CONSTRAINT `fk_o_p` FOREIGN KEY (`p`) REFERENCES `p` (`id`)\n) ENGINE=InnoDB AUTO_INCREMENT=42";
    expect(splitForeignKeys(ddl).foreignKeys).toEqual(["CONSTRAINT `fk_o_p` FOREIGN KEY (`p`) REFERENCES `p` (`id`)"]);
    expect(normalizeDdl(ddl)).toBe("CREATE TABLE `o` (\n  `id` int NOT NULL,\n  `p` int,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB");
  });
});
