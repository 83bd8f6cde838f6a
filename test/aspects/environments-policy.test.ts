import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildApp } from "../../main";

const outdir = () => fs.mkdtempSync(path.join(os.tmpdir(), "policy-"));

describe("policy pack on the real environments", () => {
  test("all three environments and the state backend synthesize with zero rule errors", () => {
    const app = buildApp({}, { outdir: outdir() });
    expect(() => app.synth()).not.toThrow();
    for (const stack of app.node.children) {
      const errors = stack.node
        .findAll()
        .flatMap((n) => n.node.metadata)
        .filter((m) => m.type === "@cdktf/error");
      expect([stack.node.id, errors]).toEqual([stack.node.id, []]);
    }
  });

  test("dev's suppressions (D1, D3, and the public IPv4 addresses of FT6) show up as INFO lines with their reasons", () => {
    const app = buildApp({ DMS_MIGRATE_ENVIRONMENTS: "dev" }, { outdir: outdir() });
    app.synth();
    const dev = app.node.findChild("dev");
    const infos = dev.node
      .findAll()
      .flatMap((n) => n.node.metadata.filter((m) => m.type === "@cdktf/info").map((m) => `${n.node.path}: ${m.data}`));
    expect(infos.sort()).toEqual([
      expect.stringMatching(/^dev\/alerts\/topic: \[SNS1\] suppressed: D3: /),
      expect.stringMatching(/^dev\/dms\/instance: \[DMS1\] suppressed: D1: /),
      expect.stringMatching(/^dev\/dms\/instance: \[FT6\] suppressed: D1: .*~\$3\.65\/month/),
      expect.stringMatching(/^dev\/source\/instance: \[FT6\] suppressed: .*~\$3\.65\/month/),
    ]);
  });

  test("fails synth with a readable finding when an environment makes the target public", () => {
    const app = buildApp(
      {
        DMS_MIGRATE_ENVIRONMENTS: "staging",
        DMS_MIGRATE_STAGING_CONFIG: JSON.stringify({ target: { publiclyAccessible: true } }),
      },
      { outdir: outdir() },
    );
    expect(() => app.synth()).toThrow(
      /\[staging\/target\/instance\] \[RDS2\] The RDS instance is publicly accessible\. publicly_accessible is true\. Fix:/,
    );
  });

  test("the free-tier guard stops a paid class in dev and names it", () => {
    const app = buildApp(
      {
        DMS_MIGRATE_ENVIRONMENTS: "dev",
        DMS_MIGRATE_DEV_CONFIG: JSON.stringify({ target: { instanceClass: "db.r7g.large" } }),
      },
      { outdir: outdir() },
    );
    expect(() => app.synth()).toThrow(
      /\[dev\/target\/instance\] \[FT2\] Free-tier guard: the RDS instance is billed beyond the free tier\. instance_class db\.r7g\.large is not free-tier/,
    );
  });

  test("prod rules fire in prod: single-AZ DMS", () => {
    const app = buildApp(
      { DMS_MIGRATE_ENVIRONMENTS: "prod", DMS_MIGRATE_PROD_CONFIG: JSON.stringify({ dms: { multiAz: false } }) },
      { outdir: outdir() },
    );
    expect(() => app.synth()).toThrow(/\[prod\/dms\/instance\] \[DMS5\] The production DMS replication is single-AZ/);
  });

  test("a config suppression fixes it, and one without a reason is rejected", () => {
    const ok = buildApp(
      {
        DMS_MIGRATE_ENVIRONMENTS: "prod",
        DMS_MIGRATE_PROD_CONFIG: JSON.stringify({
          dms: { multiAz: false },
          policy: {
            suppressions: [
              { ruleId: "DMS5", path: "dms/instance", reason: "cost-approved single-AZ replication, ticket FIN-7" },
            ],
          },
        }),
      },
      { outdir: outdir() },
    );
    expect(() => ok.synth()).not.toThrow();
    expect(() =>
      buildApp(
        {
          DMS_MIGRATE_ENVIRONMENTS: "prod",
          DMS_MIGRATE_PROD_CONFIG: JSON.stringify({
            policy: { suppressions: [{ ruleId: "DMS5", path: "dms/instance", reason: "ok" }] },
          }),
        },
        { outdir: outdir() },
      ),
    ).toThrow(/policy\.suppressions\[0\]\.reason must explain the suppression in 10\+ characters, got "ok"/);
    expect(() =>
      buildApp(
        {
          DMS_MIGRATE_ENVIRONMENTS: "prod",
          DMS_MIGRATE_PROD_CONFIG: JSON.stringify({
            policy: { suppressions: [{ ruleId: "DMS5", path: "nope/here", reason: "a long enough reason" }] },
          }),
        },
        { outdir: outdir() },
      ),
    ).toThrow(/policy\.suppressions: no construct at path "nope\/here" in stack prod \(rule DMS5\)/);
  });
});
