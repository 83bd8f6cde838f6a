/**
 * Property-style check of `validate`: a seeded random generator builds a table (random key kind, column types,
 * charsets and collations), fills two independent real servers with the same rows, then drifts one side at random
 * (values changed by one byte or one letter's case, NULL <-> '', trailing spaces, +1 µs, a FLOAT's 7th digit, a
 * BIT's last bit, rows deleted, added, duplicated, duplicates swapped, values longer than validate's
 * max_allowed_packet; keys of INT, composite, VARCHAR, unique, FLOAT and BIT). Each time validate's verdict
 * (and, for keyed tables, its counts of missing / extra / changed rows) must equal a naive full comparison of the
 * rows read back from both servers. DMSCTL_PROPERTY_SEED=<n> replays another sequence.
 */
import * as mysql from "mysql2/promise";
import { MariaDbServer, startMariaDb } from "../harness/mariadb";
import { parseMysqlUrl } from "../../tools/dmsctl/common";
import { validate } from "../../tools/dmsctl/validate";

const SEED = Number(process.env.DMSCTL_PROPERTY_SEED ?? 20260418);
const ITERATIONS = 100;
/** validate's sessions get this; the test's own connections (opened before) keep 16 MB to write bigger values. */
const PACKET = 1024 * 1024;

/** mulberry32: small, fast, good enough to drive a test, and reproducible from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)];
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof rng>;

type Value = string | Buffer | null;
interface ColumnType {
  readonly sql: string;
  readonly gen: (r: Rng) => Value;
  readonly mutate: (v: Value, r: Rng) => Value;
  /** How the naive comparison reads the column exactly (default: as it is). */
  readonly read?: (col: string) => string;
}

/** FLOAT read as the double it widens to: as itself the driver gets 6 digits (0.1234567 and 0.1234568 alike). */
const readFloat = (col: string) => `(${col} + 0e0)`;
/** BIT read as its number. */
const readBit = (col: string) => `(${col} + 0)`;
/** A BIT(12) value as the bytes the driver sends (X'..'). */
const bits = (n: number) => Buffer.from([(n >> 8) & 0x0f, n & 0xff]);

const ALPHABET = "abcdeABCDE xyzé";
const word = (r: Rng, max: number) => Array.from({ length: r.int(0, max) }, () => r.pick([...ALPHABET])).join("");
const toggleCase = (s: string) => (s === s.toLowerCase() ? s.toUpperCase() : s.toLowerCase());
const textMutations = (v: Value, r: Rng, maxLen: number): Value => {
  if (v === null) return "";
  const s = String(v);
  switch (r.int(0, 4)) {
    case 0:
      return s === "" ? null : s.length < maxLen ? `${s} ` : s.slice(0, -1); // NULL vs '', trailing space
    case 1:
      return /[a-z]/i.test(s) ? s.replace(/[a-z]/i, (c) => toggleCase(c)) : `${s.slice(0, maxLen - 1)}Q`; // case only
    case 2:
      return null;
    case 3:
      return s.length > 0 ? `${s.slice(0, -1)}${s.endsWith("é") ? "e" : "é"}` : "é"; // one accent
    default:
      return word(r, maxLen);
  }
};
const bigText = (r: Rng, letter: string) => letter.repeat(PACKET + r.int(1, 200_000));
const bigMutation = (v: Value, r: Rng): Value => {
  if (v === null) return bigText(r, "m");
  const b = Buffer.isBuffer(v) ? Buffer.from(v) : Buffer.from(String(v), "latin1");
  if (b.length === 0) return null;
  const i = r.int(0, b.length - 1);
  b[i] = b[i] === 0x61 ? 0x62 : 0x61; // one byte, anywhere (in a big value: far past the packet size)
  return Buffer.isBuffer(v) ? b : b.toString("latin1");
};

const TYPES: Record<string, ColumnType> = {
  ci: {
    sql: "VARCHAR(12) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL",
    gen: (r) => (r.chance(0.15) ? null : word(r, 10)),
    mutate: (v, r) => textMutations(v, r, 12),
  },
  bin: {
    sql: "VARCHAR(12) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL",
    gen: (r) => (r.chance(0.15) ? null : word(r, 10)),
    mutate: (v, r) => textMutations(v, r, 12),
  },
  latin1: {
    sql: "VARCHAR(12) CHARACTER SET latin1 COLLATE latin1_swedish_ci NULL",
    gen: (r) => (r.chance(0.15) ? null : word(r, 10)),
    mutate: (v, r) => textMutations(v, r, 12),
  },
  char: {
    sql: "CHAR(6) NULL",
    gen: (r) => (r.chance(0.15) ? null : word(r, 6)),
    mutate: (v, r) => textMutations(v, r, 6),
  },
  text: {
    sql: "TEXT CHARACTER SET utf8mb4 NULL",
    gen: (r) => (r.chance(0.1) ? null : r.chance(0.3) ? word(r, 8).repeat(r.int(40, 120)) : word(r, 20)),
    mutate: (v, r) => textMutations(v, r, 60_000),
  },
  blob: {
    sql: "LONGBLOB NULL",
    gen: (r) => (r.chance(0.1) ? null : r.chance(0.15) ? Buffer.from(bigText(r, "a")) : Buffer.from(word(r, 30))),
    mutate: bigMutation,
  },
  bigLatin1: {
    sql: "LONGTEXT CHARACTER SET latin1 NULL",
    gen: (r) => (r.chance(0.1) ? null : r.chance(0.15) ? bigText(r, "a") : word(r, 30)),
    mutate: bigMutation,
  },
  dec: {
    sql: "DECIMAL(12,3) NULL",
    gen: (r) => (r.chance(0.1) ? null : (r.int(-999999, 999999) / 1000).toFixed(3)),
    mutate: (v, r) => (v === null ? "0.000" : r.chance(0.2) ? null : (Number(v) + 0.001).toFixed(3)),
  },
  dt: {
    sql: "DATETIME(6) NULL",
    gen: (r) =>
      r.chance(0.1)
        ? null
        : `2026-0${r.int(1, 9)}-1${r.int(0, 9)} 0${r.int(0, 9)}:00:0${r.int(0, 9)}.${String(r.int(0, 999999)).padStart(6, "0")}`,
    mutate: (v) =>
      v === null
        ? "2026-01-01 00:00:00.000000"
        : `${String(v).slice(0, 20)}${String((Number(String(v).slice(20)) + 1) % 1000000).padStart(6, "0")}`,
  },
  int: {
    sql: "INT NULL",
    gen: (r) => (r.chance(0.1) ? null : String(r.int(-5, 5))),
    mutate: (v) => (v === null ? "0" : String(Number(v) + 1)),
  },
  float: {
    sql: "FLOAT NULL",
    // 7 significant digits: a change in the last one is another FLOAT, printed alike in 6 digits
    gen: (r) => (r.chance(0.1) ? null : (r.int(-9999999, 9999999) / 10 ** r.int(0, 7)).toString()),
    mutate: (v, r) => (v === null ? "0" : r.chance(0.2) ? null : (Number(v) * (1 + 3e-7)).toPrecision(7)),
    read: readFloat,
  },
  bit: {
    sql: "BIT(12) NULL",
    gen: (r) => (r.chance(0.1) ? null : bits(r.int(0, 4095))),
    mutate: (v) => (v === null ? bits(0) : bits((v as Buffer).readUInt16BE(0) ^ 1)),
    read: readBit,
  },
  vbin: {
    sql: "VARBINARY(8) NULL",
    gen: (r) => (r.chance(0.1) ? null : Buffer.from(Array.from({ length: r.int(0, 8) }, () => r.int(0, 255)))),
    mutate: (v) =>
      v === null ? Buffer.alloc(0) : Buffer.concat([Buffer.from(v as Buffer), Buffer.from([0])]).subarray(0, 8),
  },
};

type KeyKind = "int" | "composite" | "varchar" | "unique" | "float" | "bit" | "none";
interface Table {
  name: string;
  keyKind: KeyKind;
  keyCols: string[];
  cols: { name: string; type: ColumnType }[];
}

function makeTable(r: Rng, name: string): Table {
  const keyKind = r.pick<KeyKind>(["int", "composite", "varchar", "unique", "float", "bit", "none", "none"]);
  const names = Object.keys(TYPES);
  const cols = Array.from({ length: r.int(1, 4) }, (_, i) => ({ name: `c${i}`, type: TYPES[r.pick(names)] }));
  const keyCols = keyKind === "composite" ? ["k", "k2"] : keyKind === "none" ? [] : ["k"];
  return { name, keyKind, keyCols, cols };
}

function ddl(t: Table): string {
  const key =
    t.keyKind === "int"
      ? ["k INT NOT NULL PRIMARY KEY"]
      : t.keyKind === "composite"
        ? [
            "k INT NOT NULL",
            "k2 VARCHAR(8) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL",
            "PRIMARY KEY (k, k2)",
          ]
        : t.keyKind === "varchar"
          ? ["k VARCHAR(16) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL PRIMARY KEY"]
          : t.keyKind === "unique"
            ? ["k INT NOT NULL", "UNIQUE KEY uq (k)"]
            : t.keyKind === "float"
              ? ["k FLOAT NOT NULL PRIMARY KEY"]
              : t.keyKind === "bit"
                ? ["k BIT(12) NOT NULL PRIMARY KEY"]
                : [];
  const cols = t.cols.map((c) => `${c.name} ${c.type.sql}`);
  // keys first, the UNIQUE / PRIMARY KEY clause last
  const defs = [
    ...key.filter((d) => !/^(PRIMARY|UNIQUE) KEY/.test(d)),
    ...cols,
    ...key.filter((d) => /^(PRIMARY|UNIQUE) KEY/.test(d)),
  ];
  return `CREATE TABLE p.${t.name} (${defs.join(", ")}) CHARACTER SET utf8mb4`;
}

type Row = Value[];

function keyValues(t: Table, r: Rng, used: Set<string>): Value[] {
  for (;;) {
    const k =
      t.keyKind === "varchar"
        ? [`key${r.int(0, 400)}`]
        : t.keyKind === "composite"
          ? [String(r.int(-40, 40)), r.pick(["eu", "us", "ap", "x"])]
          : t.keyKind === "float"
            ? [String(r.int(-3000, 3000) / 100)]
            : t.keyKind === "bit"
              ? [bits(r.int(0, 4095))]
              : [String(r.int(-300, 300))];
    const id = k
      .map((x) => (Buffer.isBuffer(x) ? x.toString("hex") : x))
      .join("\u0000")
      .toLowerCase();
    if (!used.has(id)) {
      used.add(id);
      return k;
    }
  }
}

function newRow(t: Table, r: Rng, used: Set<string>): Row {
  return [...(t.keyCols.length ? keyValues(t, r, used) : []), ...t.cols.map((c) => c.type.gen(r))];
}

/** What drifts, applied to one side's rows. Returns a label for failure messages. */
function drift(t: Table, rows: Row[], r: Rng, used: Set<string>): string {
  const nk = t.keyCols.length;
  const kinds = [
    "change",
    "change",
    "delete",
    "insert",
    ...(t.keyKind === "none" ? ["duplicate", "swap-pair", "swap-pair"] : []),
  ];
  const kind = rows.length === 0 ? "insert" : r.pick(kinds);
  const i = r.int(0, Math.max(0, rows.length - 1));
  switch (kind) {
    case "change": {
      const c = r.int(0, t.cols.length - 1);
      rows[i] = [...rows[i]];
      rows[i][nk + c] = t.cols[c].type.mutate(rows[i][nk + c], r);
      return `change row ${i} column c${c}`;
    }
    case "delete":
      rows.splice(i, 1);
      return `delete row ${i}`;
    case "insert":
      rows.push(newRow(t, r, used));
      return "insert";
    case "duplicate":
      rows.push([...rows[i]]);
      return `duplicate row ${i}`;
    default: {
      // the same count, a pair of equal rows exchanged for a pair of another: {a, a, b} -> {a, b, b}
      const counts = new Map<string, number>();
      for (const row of rows)
        counts.set(JSON.stringify(row.map(render)), (counts.get(JSON.stringify(row.map(render))) ?? 0) + 1);
      const paired = rows.findIndex((row) => counts.get(JSON.stringify(row.map(render)))! >= 2);
      if (paired < 0) {
        rows.push([...rows[i]], [...rows[i]]);
        return `add a pair of row ${i}`;
      }
      const gone = JSON.stringify(rows[paired].map(render));
      const others = rows.filter((row) => JSON.stringify(row.map(render)) !== gone);
      const replacement = others.length > 0 ? r.pick(others) : newRow(t, r, used);
      for (let n = 0; n < 2; n++)
        rows.splice(
          rows.findIndex((row) => JSON.stringify(row.map(render)) === gone),
          1,
        );
      rows.push([...replacement], [...replacement]);
      return "swap a pair of duplicates";
    }
  }
}

async function insert(c: mysql.Connection, t: Table, rows: Row[]): Promise<void> {
  for (const row of rows) await c.query(`INSERT INTO p.${t.name} VALUES (?)`, [row]);
}

function render(v: unknown): string {
  return v === null ? "\u0000NULL" : Buffer.isBuffer(v) ? `0x${v.toString("hex")}` : `=${String(v)}`;
}

/** The naive full comparison: every row of both sides read back, compared as multisets (and by key). */
async function naive(s: mysql.Connection, t: mysql.Connection, table: Table) {
  const read = async (c: mysql.Connection) => {
    const keyRead = table.keyKind === "float" ? readFloat : table.keyKind === "bit" ? readBit : (k: string) => k;
    const list = [...table.keyCols.map(keyRead), ...table.cols.map((c) => (c.type.read ?? ((x: string) => x))(c.name))];
    const [rows] = await c.query<mysql.RowDataPacket[]>({
      sql: `SELECT ${list.join(", ")} FROM p.${table.name}`,
      rowsAsArray: true,
    });
    return (rows as unknown as unknown[][]).map((row) => ({
      key: JSON.stringify(row.slice(0, table.keyCols.length).map(render)),
      row: JSON.stringify(row.map(render)),
    }));
  };
  const [a, b] = await Promise.all([read(s), read(t)]);
  const equal = JSON.stringify(a.map((x) => x.row).sort()) === JSON.stringify(b.map((x) => x.row).sort());
  if (table.keyCols.length === 0) return { equal, counts: undefined };
  const bm = new Map(b.map((x) => [x.key, x.row]));
  const am = new Map(a.map((x) => [x.key, x.row]));
  return {
    equal,
    counts: {
      missing: a.filter((x) => !bm.has(x.key)).length,
      extra: b.filter((x) => !am.has(x.key)).length,
      changed: a.filter((x) => bm.has(x.key) && bm.get(x.key) !== x.row).length,
    },
  };
}

describe("validate agrees with a naive full comparison on random drift (seeded)", () => {
  let source: MariaDbServer;
  let target: MariaDbServer;
  let s: mysql.Connection;
  let t: mysql.Connection;

  beforeAll(async () => {
    [source, target] = await Promise.all([startMariaDb(), startMariaDb()]);
    [s, t] = await Promise.all([
      source.connect({ dateStrings: true, supportBigNumbers: true, bigNumberStrings: true }),
      target.connect({ dateStrings: true, supportBigNumbers: true, bigNumberStrings: true }),
    ]);
    for (const c of [s, t]) {
      await c.query("CREATE DATABASE p CHARACTER SET utf8mb4");
      await c.query(`SET GLOBAL max_allowed_packet = ${PACKET}`);
    }
  });
  afterAll(async () => {
    await s?.end();
    await t?.end();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  test(`${ITERATIONS} random tables and drifts (seed ${SEED})`, async () => {
    const src = parseMysqlUrl(source.url("p"), "source", {}, { mode: "disabled" });
    const tgt = parseMysqlUrl(target.url("p"), "target", {}, { mode: "disabled" });
    const seen = { match: 0, mismatch: 0, big: 0, keyless: 0, floatKey: 0, bitKey: 0, floatCol: 0, bitCol: 0 };
    for (let i = 0; i < ITERATIONS; i++) {
      const r = rng(SEED + i);
      const table = makeTable(r, `t${i}`);
      const used = new Set<string>();
      const base: Row[] = Array.from({ length: r.int(0, 12) }, () => newRow(table, r, used));
      if (table.keyKind === "none")
        for (let d = r.int(0, 2); d > 0 && base.length > 0; d--) base.push([...base[r.int(0, base.length - 1)]]);
      const sides = { s: base.map((x) => [...x]), t: base.map((x) => [...x]) };
      const steps: string[] = [];
      if (r.chance(0.75)) {
        for (let d = r.int(1, 3); d > 0; d--) {
          const side = r.chance(0.5) ? "s" : "t";
          steps.push(`${side}: ${drift(table, sides[side], r, used)}`);
        }
      }
      await Promise.all([s.query(ddl(table)), t.query(ddl(table))]);
      await Promise.all([insert(s, table, sides.s), insert(t, table, sides.t)]);
      const expected = await naive(s, t, table);
      const res = await validate(src, tgt, {
        schemas: ["p"],
        tables: [table.name],
        chunkSize: r.int(10, 40),
        retries: 0,
        parallel: 1,
      });
      const got = res.tables[0];
      const context = `seed ${SEED + i}: ${ddl(table)}; ${base.length} rows; drift ${steps.join(", ") || "none"}`;
      expect([context, got.status]).toEqual([context, expected.equal ? "match" : "mismatch"]);
      if (expected.counts) expect([context, got.counts]).toEqual([context, expected.counts]);
      seen[expected.equal ? "match" : "mismatch"]++;
      if ([...sides.s, ...sides.t].some((row) => row.some((v) => v !== null && v.length > PACKET))) seen.big++;
      if (table.keyKind === "none") seen.keyless++;
      if (table.keyKind === "float") seen.floatKey++;
      if (table.keyKind === "bit") seen.bitKey++;
      if (table.cols.some((c) => c.type === TYPES.float)) seen.floatCol++;
      if (table.cols.some((c) => c.type === TYPES.bit)) seen.bitCol++;
      await Promise.all([s.query(`DROP TABLE p.${table.name}`), t.query(`DROP TABLE p.${table.name}`)]);
    }
    // the generator covers what it claims to
    expect(seen.match).toBeGreaterThan(5);
    expect(seen.mismatch).toBeGreaterThan(5);
    expect(seen.big).toBeGreaterThan(3);
    expect(seen.keyless).toBeGreaterThan(5);
    expect(Math.min(seen.floatKey, seen.bitKey, seen.floatCol, seen.bitCol)).toBeGreaterThan(5);
  });
});
