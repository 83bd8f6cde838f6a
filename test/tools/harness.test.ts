import { startReplicationPair, ReplicationPair } from "../harness/mariadb";

describe("replication pair harness", () => {
  let pair: ReplicationPair;
  beforeAll(async () => {
    pair = await startReplicationPair();
  });
  afterAll(async () => pair?.stop());

  test("changes on the source arrive on the target; sql_log_bin = 0 changes do not", async () => {
    const s = await pair.source.connect();
    await s.query(
      "CREATE DATABASE h; CREATE TABLE h.t (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO h.t VALUES (1, 'a')",
    );
    await s.query("SET SESSION sql_log_bin = 0; INSERT INTO h.t VALUES (2, 'local'); SET SESSION sql_log_bin = 1");
    await pair.sync();
    const t = await pair.target.connect();
    const [rows] = await t.query("SELECT id, v FROM h.t ORDER BY id");
    expect(rows).toEqual([{ id: 1, v: "a" }]);
    await s.end();
    await t.end();
  });
});
