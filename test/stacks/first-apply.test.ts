/**
 * The first apply as a model: from each synthesized stack (every environment and every product path) the
 * dependency graph Terraform will follow (references and depends_on), plus the out-of-band steps the README's
 * "First apply" list documents. Asserts that nothing starts before what it needs exists and holds a value.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../../main";
import { productPaths } from "../variants";

type Block = Record<string, unknown>;
interface Doc {
  resource?: Record<string, Record<string, Block>>;
  data?: Record<string, Record<string, Block>>;
}

/** The defaults and every configuration a user can pick (scripts/variants.json). */
const VARIANTS: Record<string, NodeJS.ProcessEnv> = { defaults: {}, ...productPaths() };

/** A stack's graph: node "type.name" or "data.type.name" -> what it references or depends on. */
class Graph {
  readonly edges = new Map<string, Set<string>>();
  readonly blocks = new Map<string, Block>();

  constructor(readonly doc: Doc) {
    const add = (prefix: string, all?: Record<string, Record<string, Block>>) => {
      for (const [type, byName] of Object.entries(all ?? {})) {
        for (const [name, block] of Object.entries(byName)) {
          const id = `${prefix}${type}.${name}`;
          this.blocks.set(id, block);
          const out = new Set<string>();
          const text = JSON.stringify({ ...block, "//": undefined });
          for (const m of text.matchAll(/\$\{([^}]*)\}/g)) {
            for (const r of m[1].matchAll(/\b(data\.)?([a-z][a-z0-9_]*)\.([\w-]+)/g)) {
              if (["var", "local", "each", "count", "self", "path"].includes(r[2])) continue;
              out.add(`${r[1] ?? ""}${r[2]}.${r[3]}`);
            }
          }
          for (const d of (block.depends_on as string[] | undefined) ?? []) out.add(d);
          this.edges.set(id, out);
        }
      }
    };
    add("", doc.resource);
    add("data.", doc.data);
  }

  ofType(type: string): string[] {
    return [...this.blocks.keys()].filter((k) => k.startsWith(`${type}.`));
  }

  /** Everything `id` waits for, transitively. */
  before(id: string): Set<string> {
    const seen = new Set<string>();
    const walk = (n: string) => {
      for (const m of this.edges.get(n) ?? []) {
        if (!seen.has(m)) {
          seen.add(m);
          walk(m);
        }
      }
    };
    walk(id);
    return seen;
  }

  waitsFor(id: string, other: string): boolean {
    return this.before(id).has(other);
  }
}

interface StackUnderTest {
  readonly variant: string;
  readonly stack: string;
  readonly graph: Graph;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "first-apply-"));
const stacks: StackUnderTest[] = [];
for (const [variant, env] of Object.entries(VARIANTS)) {
  const outdir = synthesize(env, { outdir: path.join(work, variant) });
  for (const stack of fs.readdirSync(path.join(outdir, "stacks")).sort()) {
    if (variant !== "defaults" && stack !== env.DMS_MIGRATE_ENVIRONMENTS) continue;
    const doc = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as Doc;
    stacks.push({ variant, stack, graph: new Graph(doc) });
  }
}
fs.rmSync(work, { recursive: true, force: true });
const environments = stacks.filter((s) => !["account", "state-backend"].includes(s.stack));
const label = (s: StackUnderTest) => `${s.variant}/${s.stack}`;

/** The forward replication: an instance task (full load + CDC, not the fallback) or a serverless replication config. */
function replication(g: Graph): { id: string; started: unknown; compute: string[] } {
  const task = g.ofType("aws_dms_replication_task").find((t) => g.blocks.get(t)!.migration_type !== "cdc");
  if (task)
    return {
      id: task,
      started: g.blocks.get(task)!.start_replication_task,
      compute: g.ofType("aws_dms_replication_instance"),
    };
  const config = g.ofType("aws_dms_replication_config")[0];
  return { id: config, started: g.blocks.get(config)!.start_replication, compute: [config] };
}

/** The endpoints of the forward replication or (`fallback`) of the fallback replication, told apart by their ids. */
function endpoints(g: Graph, fallback = false): string[] {
  return g
    .ofType("aws_dms_endpoint")
    .filter((e) => String(g.blocks.get(e)!.endpoint_id).includes("-dms-fallback-") === fallback);
}

/** The secret an endpoint reads: a stack resource ("aws_secretsmanager_secret.x") or a literal ARN. */
function secretOf(g: Graph, endpoint: string): string {
  const arn = String(g.blocks.get(endpoint)!.secrets_manager_arn);
  return /\$\{(aws_secretsmanager_secret\.[\w-]+)\.arn\}/.exec(arn)?.[1] ?? arn;
}

/** Secrets the forward endpoints read, by endpoint type. */
function endpointSecrets(g: Graph, fallback = false): Record<string, string> {
  return Object.fromEntries(
    endpoints(g, fallback).map((e) => [String(g.blocks.get(e)!.endpoint_type), secretOf(g, e)]),
  );
}

/** The fallback task (CDC only, target back to source), when the stack has one. */
function fallbackTask(g: Graph): string | undefined {
  return g.ofType("aws_dms_replication_task").find((t) => g.blocks.get(t)!.migration_type === "cdc");
}

/** Secrets some resource of the stack gives a value (a secret version). */
function secretsWithValue(g: Graph): Set<string> {
  return new Set(
    g
      .ofType("aws_secretsmanager_secret_version")
      .flatMap((v) => [...(g.edges.get(v) ?? [])].filter((r) => r.startsWith("aws_secretsmanager_secret."))),
  );
}

describe("first apply: the synthesized dependency graph", () => {
  test("covers every environment and product path", () => {
    expect(environments.map(label)).toEqual([
      "defaults/dev",
      "defaults/prod",
      "defaults/staging",
      "dev-existing-source/dev",
      "dev-serverless/dev",
      "staging-serverless/staging",
      "staging-existing-network/staging",
      "prod-own-account-nat/prod",
      "dev-fallback-cutover/dev",
      "staging-existing-source-ip-zone/staging",
    ]);
  });

  test.each(environments.map((s) => [label(s), s] as const))(
    "%s: the stack never starts the replication, because no resource can give the target DMS secret a value",
    (_l, s) => {
      const g = s.graph;
      const secrets = endpointSecrets(g);
      expect(Object.keys(secrets).sort()).toEqual(["source", "target"]);
      // The target DMS user is created out of band (dmsctl users, with the operator's credentials): no secret version.
      expect(secretsWithValue(g).has(secrets.target)).toBe(false);
      expect(replication(g).started).toBe(false);
    },
  );

  test.each(environments.map((s) => [label(s), s] as const))(
    "%s: the replication waits for both endpoints, and each endpoint for its secret and the role that may read it",
    (_l, s) => {
      const g = s.graph;
      const r = replication(g);
      const forward = endpoints(g);
      expect(forward).toHaveLength(2);
      for (const e of forward) expect(g.waitsFor(r.id, e)).toBe(true);
      const rolePolicy = g.ofType("aws_iam_role_policy").find((p) => p.includes("secrets-role-policy"))!;
      expect(rolePolicy).toBeDefined();
      for (const e of forward) {
        expect(g.waitsFor(e, rolePolicy)).toBe(true);
        const secret = endpointSecrets(g)[String(g.blocks.get(e)!.endpoint_type)];
        if (secret.startsWith("aws_secretsmanager_secret.")) expect(g.waitsFor(e, secret)).toBe(true);
        else expect(secret).toMatch(/^arn:aws:secretsmanager:/); // an existing source's secret, made before the apply
      }
    },
  );

  test.each(environments.map((s) => [label(s), s] as const))(
    "%s: DMS compute waits for the account roles (checked lookups) and, when private, for the Secrets Manager endpoint",
    (_l, s) => {
      const g = s.graph;
      const lookups = g.ofType("data.aws_iam_roles");
      expect(lookups).toHaveLength(2);
      for (const l of lookups) {
        const post = (g.blocks.get(l)!.lifecycle as { postcondition: { condition: string }[] }).postcondition;
        expect(post[0].condition).toBe("${length(self.names) == 1}");
      }
      const compute = [...replication(g).compute, ...g.ofType("aws_dms_replication_subnet_group")];
      const endpoint = g
        .ofType("aws_vpc_endpoint")
        .find((e) => String(g.blocks.get(e)!.service_name).includes("secretsmanager"));
      for (const c of compute) {
        for (const l of lookups) expect(g.waitsFor(c, l)).toBe(true);
        if (endpoint && !c.includes("subnet_group")) expect(g.waitsFor(c, endpoint)).toBe(true);
      }
      // No environment creates or owns an account role: destroying it cannot delete what the others use.
      expect(g.ofType("aws_iam_role").map((r) => g.blocks.get(r)!.name)).not.toContain("dms-vpc-role");
    },
  );

  test.each(environments.map((s) => [label(s), s] as const))(
    "%s: log groups exist, with retention, before anything writes to them",
    (_l, s) => {
      const g = s.graph;
      const r = replication(g);
      const taskLogs = g
        .ofType("aws_cloudwatch_log_group")
        .filter((l) => /^dms-(tasks|serverless)/.test(String(g.blocks.get(l)!.name)));
      expect(taskLogs).toHaveLength(1);
      expect(g.waitsFor(r.id, taskLogs[0])).toBe(true);
      const db = g.ofType("aws_db_instance")[0];
      for (const log of (g.blocks.get(db)!.enabled_cloudwatch_logs_exports as string[]) ?? []) {
        const group = g
          .ofType("aws_cloudwatch_log_group")
          .find(
            (l) =>
              String(g.blocks.get(l)!.name).endsWith(`/${log}`) &&
              String(g.blocks.get(l)!.name).startsWith("/aws/rds/instance/"),
          );
        expect({ log, group }).toEqual({ log, group: expect.any(String) });
        expect(g.blocks.get(group!)!.retention_in_days).toEqual(expect.any(Number));
        expect(g.waitsFor(db, group!)).toBe(true);
      }
    },
  );

  test.each(environments.filter((s) => s.graph.ofType("aws_instance").length > 0).map((s) => [label(s), s] as const))(
    "%s: the EC2 source starts after its DMS secret exists (its bootstrap fills it) and never references the target's secrets",
    (_l, s) => {
      const g = s.graph;
      const instance = g.ofType("aws_instance")[0];
      const secrets = endpointSecrets(g);
      expect(g.waitsFor(instance, secrets.source)).toBe(true);
      expect(g.waitsFor(instance, secrets.target)).toBe(false);
      expect(g.ofType("aws_db_instance").some((db) => g.waitsFor(instance, db))).toBe(false);
    },
  );

  test("the fallback replication exists where the configuration asks for it (staging, prod, the fallback paths)", () => {
    expect(environments.filter((s) => fallbackTask(s.graph)).map(label)).toEqual([
      "defaults/prod",
      "defaults/staging",
      "staging-existing-network/staging",
      "prod-own-account-nat/prod",
      "dev-fallback-cutover/dev",
      "staging-existing-source-ip-zone/staging",
    ]);
  });

  test.each(environments.filter((s) => fallbackTask(s.graph)).map((s) => [label(s), s] as const))(
    "%s: the fallback task is never started by the apply, reads RDS with the target's secret (verify-full) and writes the source with the source's, on the forward instance",
    (_l, s) => {
      const g = s.graph;
      const task = fallbackTask(g)!;
      const block = g.blocks.get(task)!;
      expect(block).toMatchObject({ migration_type: "cdc", start_replication_task: false });
      expect(block.cdc_start_position).toBeUndefined(); // dmsctl cutover starts it from the recorded position
      const back = endpoints(g, true);
      expect(back).toHaveLength(2);
      for (const e of back) expect(g.waitsFor(task, e)).toBe(true);
      // The opposite roles, with the same secrets: no new secret, nothing for the apply to fill.
      const forward = endpointSecrets(g);
      expect(endpointSecrets(g, true)).toEqual({ source: forward.target, target: forward.source });
      const rdsSide = back.find((e) => g.blocks.get(e)!.endpoint_type === "source")!;
      expect(g.blocks.get(rdsSide)!.ssl_mode).toBe("verify-full");
      const rolePolicy = g.ofType("aws_iam_role_policy").find((p) => p.includes("secrets-role-policy"))!;
      for (const e of back) expect(g.waitsFor(e, rolePolicy)).toBe(true);
      // One replication instance for both directions, and the log group exists before either task.
      const instance = g.ofType("aws_dms_replication_instance");
      expect(instance).toHaveLength(1);
      expect(g.waitsFor(task, instance[0])).toBe(true);
      const log = g
        .ofType("aws_cloudwatch_log_group")
        .find((l) => String(g.blocks.get(l)!.name).startsWith("dms-tasks-"))!;
      expect(g.waitsFor(task, log)).toBe(true);
    },
  );

  test.each(environments.map((s) => [label(s), s] as const))(
    "%s: the stable database name waits for the database it points at",
    (_l, s) => {
      const g = s.graph;
      const record = g.ofType("aws_route53_record").find((r) => g.blocks.get(r)!.type === "CNAME")!;
      const values = JSON.stringify(g.blocks.get(record)!.records);
      if (/aws_db_instance\./.test(values)) {
        expect(g.waitsFor(record, g.ofType("aws_db_instance")[0])).toBe(true);
      } else if (/aws_instance\./.test(values)) {
        expect(g.waitsFor(record, g.ofType("aws_instance")[0])).toBe(true);
      } else {
        // An existing source: its name, or the A record naming its address; nothing to wait for.
        expect(g.ofType("aws_instance")).toHaveLength(0);
      }
      const zone = g.ofType("aws_route53_zone")[0];
      if (zone) expect(g.waitsFor(record, zone)).toBe(true);
    },
  );

  test("the account stack adopts or creates the roles, keeps them from destroy, and waits for IAM before it finishes", () => {
    const g = stacks.find((s) => s.stack === "account")!.graph;
    const roles = g.ofType("aws_iam_role");
    expect(roles.map((r) => g.blocks.get(r)!.name).sort()).toEqual(["dms-cloudwatch-logs-role", "dms-vpc-role"]);
    for (const r of roles)
      expect((g.blocks.get(r)!.lifecycle as { prevent_destroy: boolean }).prevent_destroy).toBe(true);
    const imports = (g.doc as { import?: { to: string }[] }).import ?? [];
    expect(imports.map((i) => i.to).sort()).toEqual([...roles].sort());
    const sleep = g.ofType("time_sleep")[0];
    for (const a of g.ofType("aws_iam_role_policy_attachment")) expect(g.waitsFor(sleep, a)).toBe(true);
  });
});

/** The out-of-band steps, what each needs, and how to recognize it in the README's "First apply" list. */
const STEPS = [
  { id: "state-backend", needs: [], pattern: /cdktf deploy state-backend/ },
  { id: "choose-bucket", needs: ["state-backend"], pattern: /export DMS_MIGRATE_STATE_BUCKET=/ },
  { id: "account", needs: ["choose-bucket"], pattern: /cdktf deploy account/ },
  { id: "environment", needs: ["choose-bucket", "account"], pattern: /cdktf deploy dev/ },
  { id: "users", needs: ["environment"], pattern: /dmsctl users --env/ },
  { id: "schema", needs: ["environment"], pattern: /dmsctl schema --env/ },
  { id: "preflight", needs: ["users", "schema"], pattern: /dmsctl preflight --env/ },
  { id: "start", needs: ["preflight", "users", "schema"], pattern: /aws dms start-replication-task/ },
] as const;

describe("first apply: the README's list", () => {
  const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
  const section = /### First apply\n([\s\S]*?)\n### /.exec(readme)?.[1] ?? "";
  const commands = (/```bash\n([\s\S]*?)```/.exec(section)?.[1] ?? "")
    .split("\n")
    .filter((l) => l.trim() && !l.trim().startsWith("#"));

  test("lists every step, once, and only steps the model knows", () => {
    const matched = commands.map((c) => STEPS.filter((s) => s.pattern.test(c)).map((s) => s.id));
    expect(matched.every((m) => m.length === 1)).toBe(true);
    expect(matched.flat().sort()).toEqual(STEPS.map((s) => s.id).sort());
  });

  test("orders them so that each step comes after everything it needs", () => {
    const order = commands.map((c) => STEPS.find((s) => s.pattern.test(c))!.id as string);
    for (const step of STEPS) {
      for (const need of step.needs)
        expect({ step: step.id, after: need, ok: order.indexOf(need) < order.indexOf(step.id) }).toMatchObject({
          ok: true,
        });
    }
  });

  test("says the stack never starts the task on create", () => {
    expect(section).toMatch(/`dms\.startTask` is false in every mode/);
  });
});
