#!/usr/bin/env node
"use strict";
/**
 * Replacement guard: lists every change in a Terraform plan that destroys a stateful resource, alone ("destroy") or
 * as part of a replacement ("replace", either order), so that no pull request or apply replaces the DMS task or the
 * RDS target without saying so.
 *
 *   terraform show -json tfplan | node scripts/plan-guard.js [--allow]
 *   node scripts/plan-guard.js [--allow] plan.json
 *
 * Prints Markdown on stdout (for a pull-request comment or $GITHUB_STEP_SUMMARY). Exit codes:
 *   0  no guarded resource is replaced or destroyed (or --allow / PLAN_GUARD_ALLOW=1: reported, not failed)
 *   1  bad usage or bad input (not JSON, not `terraform show -json` output of a plan): the message says what
 *   3  at least one guarded resource is replaced or destroyed
 *
 * A plan holds sensitive values in clear text: this prints addresses, resource types, actions, Terraform's action
 * reason and the attribute paths that force a replacement, never a value (and a path stops at a sensitive
 * attribute). Plain CommonJS without dependencies: the workflows run it with the runner's node, without npm ci.
 */
const fs = require("fs");

const EXIT = Object.freeze({ OK: 0, BAD_INPUT: 1, HIT: 3 });

/** The account-wide roles AWS DMS looks up by these fixed names (constructs/dms-account-roles.ts). */
const DMS_ACCOUNT_ROLE_NAMES = Object.freeze(["dms-vpc-role", "dms-cloudwatch-logs-role"]);

const FULL_LOAD_AGAIN =
  "re-runs the full load with the target table prep mode (TRUNCATE_BEFORE_LOAD by default): after cutover this " +
  "wipes rows written on the target, and CDC restarts from the new task's start point";

/**
 * Guarded resource types: what the resource is here, and what replacing it costs (`onDestroy`: what destroying it
 * costs, when that differs). A dependent replacement (a DMS
 * endpoint or instance replaced replaces the task, whose endpoint and instance ARNs are ForceNew) shows up in the
 * plan as a replacement of the dependent resource too, so it is reported under its own address as well.
 * `match`, when present, narrows a type to the resources that matter (by name, never printed).
 */
const GUARDED = Object.freeze({
  aws_dms_replication_task: {
    what: "DMS replication task",
    consequence: `a new task ${FULL_LOAD_AGAIN}`,
    onDestroy: "replication stops for good: nothing carries the source's changes to the target any more",
  },
  aws_dms_replication_config: {
    what: "DMS Serverless replication",
    consequence: `a new replication ${FULL_LOAD_AGAIN}`,
    onDestroy: "replication stops for good: nothing carries the source's changes to the target any more",
  },
  aws_dms_replication_instance: {
    what: "DMS replication instance",
    consequence:
      "replication stops, and every task on the instance is replaced with it (replication_instance_arn is ForceNew): " +
      `each ${FULL_LOAD_AGAIN}`,
    onDestroy: "replication stops: the tasks on the instance go with it",
  },
  aws_dms_endpoint: {
    what: "DMS endpoint",
    consequence:
      "replication stops, and every task using the endpoint is replaced with it (endpoint ARNs are ForceNew): " +
      `each ${FULL_LOAD_AGAIN}`,
    onDestroy: "replication stops: the tasks using the endpoint go with it",
  },
  aws_db_instance: {
    what: "RDS database (the migration target)",
    consequence:
      "the database is deleted and created empty: every row migrated or written since is gone (only a final " +
      "snapshot, if enabled, keeps them); with deletion_protection on, the apply fails midway instead",
  },
  aws_instance: {
    what: "EC2 instance (the MySQL source, when the stack creates it)",
    consequence:
      "the instance is terminated with its root volume and bootstraps from scratch: the source data and binlogs " +
      "are gone and CDC cannot resume (re-provision on purpose only, with terraform apply -replace)",
  },
  aws_secretsmanager_secret: {
    what: "Secrets Manager secret (DMS credentials)",
    consequence:
      "the secret is scheduled for deletion and a new, empty one is created: its values are written by the " +
      "bootstrap, not by Terraform, so the DMS endpoints cannot connect until it runs again",
  },
  aws_s3_bucket: {
    what: "S3 bucket (the Terraform state bucket)",
    consequence:
      "the bucket and everything in it are deleted: with the state bucket, the Terraform state of every " +
      "environment (the destroy fails while the bucket holds objects, unless force_destroy is set)",
  },
  aws_kms_key: {
    what: "KMS key",
    consequence:
      "the key is scheduled for deletion: whatever is still encrypted under it becomes unreadable when its " +
      "deletion window ends (cancel with aws kms cancel-key-deletion until then)",
  },
  aws_route53_zone: {
    what: "Route 53 private hosted zone (the stable database name)",
    consequence:
      "the zone and its records are deleted and a new zone gets a new id: until it exists again, applications " +
      "that reach the database by its stable name (mysql.<zone>) cannot resolve it",
  },
  aws_route53_record: {
    what: "Route 53 record (the stable database name)",
    consequence:
      "the name does not resolve between the delete and the create: applications lose the database for that " +
      "time; a flip of cutover.activeDatabase is an update, not a replacement",
  },
  aws_iam_role: {
    what: "account-wide DMS IAM role",
    match: (change) => DMS_ACCOUNT_ROLE_NAMES.some((n) => roleNames(change).includes(n)),
    consequence:
      "DMS looks this role up by its fixed name for the whole account: until it exists again, DMS in every stack " +
      "of the account cannot manage its network interfaces (dms-vpc-role) or write task logs " +
      "(dms-cloudwatch-logs-role)",
  },
});

/**
 * Types considered and deliberately not guarded (documentation; CONTRIBUTING.md "Replacement guard"). A replacement
 * of one of these that forces a guarded resource to be replaced is still caught, on the guarded resource. IAM roles
 * other than the two DMS account roles are not guarded either: they hold no data and are recreated harmlessly.
 */
const NOT_GUARDED = Object.freeze({
  aws_db_parameter_group:
    "create_before_destroy with a name prefix: the new group exists before the database switches to it (in place)",
  aws_db_subnet_group: "holds no data; a database it forces to be replaced is reported as aws_db_instance",
  aws_dms_replication_subnet_group: "holds no data; a replication instance it replaces is reported",
  aws_dms_certificate: "holds no data; endpoints take the new certificate in place",
  aws_cloudwatch_metric_alarm: "monitoring only: recreated without losing data",
  aws_cloudwatch_log_group: "task log history is lost, not migrated data",
  aws_sns_topic: "alerts only (e-mail subscriptions need confirming again)",
});

const REASONS = Object.freeze({
  replace_because_cannot_update: "an argument that cannot change in place changed",
  replace_because_tainted: "the object is tainted (a failed create, or terraform taint)",
  replace_by_request: "requested with -replace",
  replace_by_triggers: "replace_triggered_by in the configuration",
  delete_because_no_resource_config: "its resource block was removed from the configuration",
  delete_because_no_module: "its module call was removed from the configuration",
  delete_because_wrong_repetition: "count or for_each was added to or removed from its resource block",
  delete_because_count_index: "its count index is no longer in range",
  delete_because_each_key: "its for_each key is no longer in the map or set",
  delete_because_no_move_target: "a moved block points to an address that no longer exists",
});

class PlanGuardInputError extends Error {
  constructor(message) {
    super(message);
    this.name = "PlanGuardInputError";
  }
}

function roleNames(change) {
  return [change && change.before, change && change.after]
    .map((v) => (v && typeof v === "object" ? v.name : undefined))
    .filter((n) => typeof n === "string");
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const HOW_TO = "pass the output of `terraform show -json <planfile>`";

/** Parses `terraform show -json <planfile>` output; throws PlanGuardInputError naming the problem. */
function parsePlan(text) {
  if (typeof text !== "string" || text.trim() === "") throw new PlanGuardInputError(`no input: ${HOW_TO}`);
  let plan;
  try {
    plan = JSON.parse(text);
  } catch (e) {
    // Never quote the parser's message: V8 puts a piece of the input in it, and a plan holds secrets.
    const message = String(e && e.message);
    const at = /position (\d+)/.exec(message);
    const early = /end of JSON input|Unterminated/.test(message) || (at && Number(at[1]) >= text.trimEnd().length);
    const where = early
      ? "it ends early (a truncated file or an interrupted pipe?)"
      : `parse error${at ? ` at character ${at[1]}` : ""}`;
    const hint = /^\s*[{[]/.test(text)
      ? ""
      : " (it does not start with `{`: `terraform show` without -json, or a log, prints text)";
    throw new PlanGuardInputError(`the input is not JSON: ${where}${hint}; ${HOW_TO}`);
  }
  if (!isObject(plan)) {
    throw new PlanGuardInputError(`the input is JSON but not an object, so not a Terraform plan; ${HOW_TO}`);
  }
  if (typeof plan.format_version !== "string") {
    throw new PlanGuardInputError(`the input is JSON without a format_version: not a Terraform plan; ${HOW_TO}`);
  }
  if (!/^1\./.test(plan.format_version)) {
    throw new PlanGuardInputError(
      `the plan's format_version is ${JSON.stringify(plan.format_version)}: this guard reads format 1.x`,
    );
  }
  if (!("resource_changes" in plan) && !("planned_values" in plan)) {
    const what = "values" in plan ? "a state (terraform show -json without a plan file)" : "not a plan";
    throw new PlanGuardInputError(`the input has a format_version but no resource_changes: ${what}; ${HOW_TO}`);
  }
  // Terraform omits resource_changes when the plan changes no resource (it still writes planned_values).
  if ("resource_changes" in plan && !Array.isArray(plan.resource_changes)) {
    throw new PlanGuardInputError("the plan's resource_changes is not an array");
  }
  (plan.resource_changes || []).forEach((rc, i) => {
    if (!isObject(rc) || typeof rc.address !== "string" || typeof rc.type !== "string") {
      throw new PlanGuardInputError(`resource_changes[${i}] has no address or type: not a Terraform plan`);
    }
    if (!isObject(rc.change) || !Array.isArray(rc.change.actions)) {
      throw new PlanGuardInputError(`resource_changes[${i}] (${rc.address}) has no change.actions array`);
    }
  });
  return plan;
}

/** Whether the value marks (in before_sensitive / after_sensitive) reach `true` along the path's first k steps. */
function sensitiveAt(marks, steps) {
  let cur = marks;
  for (const step of steps) {
    if (cur === true) return true;
    if (cur === null || typeof cur !== "object") return false;
    cur = cur[step];
  }
  return cur === true;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** One replace path as `a.b[0]["k"]`, cut after the first sensitive step (the keys under it stay hidden). */
function formatPath(path, change) {
  if (!Array.isArray(path) || path.length === 0) return undefined;
  let out = "";
  for (let k = 0; k < path.length; k++) {
    const step = path[k];
    if (typeof step === "number") out += `[${step}]`;
    else if (typeof step === "string")
      out += k === 0 ? step : IDENT.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`;
    else return out === "" ? undefined : `${out} (...)`;
    if (
      sensitiveAt(change.before_sensitive, path.slice(0, k + 1)) ||
      sensitiveAt(change.after_sensitive, path.slice(0, k + 1))
    ) {
      return `${out} (sensitive)`;
    }
  }
  return out;
}

/**
 * The guarded resource changes of a parsed plan: every managed resource of a guarded type whose actions include
 * "delete". `changes` counts the resource changes that do something (not no-op, not read).
 */
function findHits(plan) {
  const changes = (plan.resource_changes || []).filter((rc) => rc.mode !== "data");
  const hits = [];
  for (const rc of changes) {
    const actions = rc.change.actions;
    if (!actions.includes("delete")) continue;
    const rule = Object.prototype.hasOwnProperty.call(GUARDED, rc.type) ? GUARDED[rc.type] : undefined;
    if (!rule || (rule.match && !rule.match(rc.change))) continue;
    const replace = actions.includes("create");
    const paths = Array.isArray(rc.change.replace_paths) ? rc.change.replace_paths : [];
    hits.push({
      address: rc.address,
      type: rc.type,
      action: replace ? "replace" : "destroy",
      actions: actions.slice(),
      order: replace ? (actions[0] === "create" ? "create, then destroy" : "destroy, then create") : undefined,
      actionReason: typeof rc.action_reason === "string" ? rc.action_reason : undefined,
      replacePaths: [...new Set(paths.map((p) => formatPath(p, rc.change)).filter(Boolean))],
      deposed: typeof rc.deposed === "string" ? rc.deposed : undefined,
      what: rule.what,
      consequence: !replace && rule.onDestroy ? rule.onDestroy : rule.consequence,
    });
  }
  const acting = changes.filter((rc) => !rc.change.actions.every((a) => a === "no-op" || a === "read")).length;
  return { hits, changes: acting };
}

/** `text` as a Markdown code span that survives backticks inside it. */
function code(text) {
  const runs = String(text).match(/`+/g) || [];
  const ticks = "`".repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = /^`|`$/.test(text) ? " " : "";
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

const MAX_PATHS = 10;

/** The Markdown report of findHits' result. */
function renderMarkdown(result, options = {}) {
  const { hits, changes } = result;
  const guarded = Object.keys(GUARDED)
    .map((t) => (t === "aws_iam_role" ? `${code(t)} (${DMS_ACCOUNT_ROLE_NAMES.join(", ")})` : code(t)))
    .join(", ");
  if (hits.length === 0) {
    return [
      "#### Replacement guard: no stateful resource is replaced or destroyed",
      "",
      `Checked ${changes} resource change${changes === 1 ? "" : "s"}. Guarded types: ${guarded}.`,
      "",
    ].join("\n");
  }
  const lines = [
    `#### :warning: Replacement guard: ${hits.length} stateful resource${hits.length === 1 ? " is" : "s are"} ` +
      "replaced or destroyed",
    "",
  ];
  for (const h of hits) {
    const how = h.action === "replace" ? `**replace** (${h.order})` : "**destroy**";
    lines.push(`- ${how} ${code(h.address)}: ${h.what}${h.deposed ? ` (deposed object ${code(h.deposed)})` : ""}`);
    if (h.actionReason) {
      const text = REASONS[h.actionReason];
      lines.push(`  - Why: ${code(h.actionReason)}${text ? ` (${text})` : ""}`);
    }
    if (h.replacePaths.length > 0) {
      const shown = h.replacePaths.slice(0, MAX_PATHS).map(code).join(", ");
      const more = h.replacePaths.length > MAX_PATHS ? ` and ${h.replacePaths.length - MAX_PATHS} more` : "";
      lines.push(`  - Forced by: ${shown}${more}`);
    }
    lines.push(`  - Consequence: ${h.consequence}`);
  }
  lines.push("", `Checked ${changes} resource change${changes === 1 ? "" : "s"}. Guarded types: ${guarded}.`);
  if (options.allow) lines.push("", "_Reported only: --allow or PLAN_GUARD_ALLOW=1 is set, so the guard passes._");
  lines.push("");
  return lines.join("\n");
}

const USAGE = [
  "usage: terraform show -json <planfile> | node scripts/plan-guard.js [--allow]",
  "       node scripts/plan-guard.js [--allow] <plan.json | ->",
  "Lists the guarded resources a plan replaces or destroys, as Markdown.",
  "Exit 0: none (or --allow / PLAN_GUARD_ALLOW=1); 3: at least one; 1: bad usage or input.",
].join("\n");

/** PLAN_GUARD_ALLOW as a boolean; throws on a value that is neither on nor off. */
function allowFromEnv(value) {
  const v = (value || "").trim().toLowerCase();
  if (["", "0", "false", "no"].includes(v)) return false;
  if (["1", "true", "yes"].includes(v)) return true;
  throw new PlanGuardInputError(`PLAN_GUARD_ALLOW must be 1 or 0 (true or false), got ${JSON.stringify(value)}`);
}

async function readAll(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The command line: returns the exit code; writes the report to io.stdout and problems to io.stderr.
 * @param {string[]} argv arguments after the script
 */
async function main(argv, io = {}) {
  const stdout = io.stdout || process.stdout;
  const stderr = io.stderr || process.stderr;
  const stdin = io.stdin || process.stdin;
  const env = io.env || process.env;
  try {
    let allow = allowFromEnv(env.PLAN_GUARD_ALLOW);
    const files = [];
    for (const arg of argv) {
      if (arg === "--allow") allow = true;
      else if (arg === "-h" || arg === "--help") {
        stdout.write(`${USAGE}\n`);
        return EXIT.OK;
      } else if (arg.startsWith("-") && arg !== "-") throw new PlanGuardInputError(`unknown option ${arg}\n${USAGE}`);
      else files.push(arg);
    }
    if (files.length > 1) throw new PlanGuardInputError(`one plan at a time, got ${files.length} files\n${USAGE}`);
    let text;
    if (files.length === 0 || files[0] === "-") {
      if (stdin.isTTY) throw new PlanGuardInputError(`no plan on stdin\n${USAGE}`);
      text = await readAll(stdin);
    } else {
      try {
        text = fs.readFileSync(files[0], "utf8");
      } catch (e) {
        throw new PlanGuardInputError(`cannot read ${files[0]}: ${e.code || e.message}`);
      }
    }
    const result = findHits(parsePlan(text));
    stdout.write(renderMarkdown(result, { allow }));
    return result.hits.length > 0 && !allow ? EXIT.HIT : EXIT.OK;
  } catch (e) {
    if (!(e instanceof PlanGuardInputError)) throw e;
    stderr.write(`plan-guard: ${e.message}\n`);
    return EXIT.BAD_INPUT;
  }
}

module.exports = {
  EXIT,
  GUARDED,
  NOT_GUARDED,
  DMS_ACCOUNT_ROLE_NAMES,
  PlanGuardInputError,
  parsePlan,
  findHits,
  renderMarkdown,
  main,
};

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`plan-guard: unexpected error: ${e && e.stack ? e.stack : e}\n`);
      process.exitCode = EXIT.BAD_INPUT;
    },
  );
}
