import { CliError, EXIT_OK, Progress } from "../common";
import { Command, format, int, need } from "../args";

export const seed: Command = {
  summary: "create the sample schema (the EC2 bootstrap's SQL) and generate realistic data fast",
  usage:
    "dmsctl seed --source URL [--schema ecommerce] [--products 1000] [--orders 100000] [--method auto|insert|load-data] [--batch-rows 20000]",
  details: `Options:
  --schema S             schema to create and fill (default: the URL's schema, else ecommerce)
  --products N           products to generate, 1-10,000,000 (default 1000)
  --orders N             orders to generate (each for one of the products), 0-1,000,000,000 (default 100000)
  --method M             auto (LOAD DATA LOCAL INFILE when the server allows it, else INSERT), insert or load-data
                         (default auto)
  --batch-rows N         rows per batch, 1-100,000 (default 20000); the same run gives the same keys`,
  options: {
    schema: { type: "string" },
    products: { type: "string" },
    orders: { type: "string" },
    method: { type: "string" },
    "batch-rows": { type: "string" },
  },
  async run(v, io) {
    const source = await need(v, "source", io);
    const method = (v.method as string | undefined) ?? "auto";
    if (method !== "insert" && method !== "load-data" && method !== "auto") {
      throw new CliError(`--method must be auto, insert or load-data, got ${JSON.stringify(method)}`);
    }
    const { seed } = await import("../seed");
    const { SAMPLE_SCHEMA } = await import("../shared");
    const products = int(v, "products", 1000, 1, 10_000_000);
    const orders = int(v, "orders", 100_000, 0, 1_000_000_000);
    const schema = (v.schema as string | undefined) ?? source.schema ?? SAMPLE_SCHEMA;
    if (schema.length === 0 || schema.includes("\u0000"))
      throw new CliError(`--schema must name a schema, got ${JSON.stringify(schema)}`);
    const bar = new Progress("seed", products + orders);
    const r = await seed(source, {
      schema,
      products,
      orders,
      method,
      batchRows: int(v, "batch-rows", 20000, 1, 100_000),
      onProgress: (d) => bar.update(d),
    });
    io.out(
      format(v) === "json"
        ? JSON.stringify(r)
        : `seeded ${r.products} products and ${r.orders} orders in ${r.seconds.toFixed(1)} s (${Math.round(r.rowsPerSecond)} rows/s, ${r.method})`,
    );
    return EXIT_OK;
  },
};
