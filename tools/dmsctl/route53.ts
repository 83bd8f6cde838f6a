/**
 * The stable database name, flipped directly through the Route 53 API: `cutover --flip` points it at the RDS target,
 * `rollback --flip` (and a full rollback) back at the source. The reviewed way is the environment's
 * `cutover.activeDatabase` in a pull request, whose apply changes the record; this is for an emergency, and each
 * flip says how to bring the code in line (until it is, the next apply would point the record back).
 *
 * One ChangeResourceRecordSets UPSERT of the record the outputs name (`database_zone_id`, `database_record_name`),
 * keeping its type (CNAME) and TTL as Terraform made them (read first with ListResourceRecordSets), then GetChange
 * until the change is INSYNC on every Route 53 server, bounded. AWS SDK v3, loaded only when used.
 */
import { OUTPUT_NAMES } from "./shared";
import { CliError, EXIT_OK, pollUntil } from "./common";
import { Io, Values, format, int } from "./args";
import { Outputs, cutoverStatePath, optionalOutput, output, readOutputs } from "./env";
import { CutoverState, readState, updateState } from "./fallback-state";

export type ActiveDatabase = "source" | "target";

/**
 * First label of the A record that names an existing source given by IPv4 address (a CNAME cannot point at an
 * address): constructs/database-name-props.ts SOURCE_ADDRESS_LABEL, which dmsctl may not import (ARCHITECTURE.md).
 */
const SOURCE_ADDRESS_LABEL = "source";
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The record as Route 53 has it now. */
export interface CurrentRecord {
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  readonly value: string;
}

export interface FlipResult {
  readonly to: ActiveDatabase;
  readonly zoneId: string;
  readonly recordName: string;
  readonly type: string;
  readonly ttl: number;
  readonly previousValue: string;
  readonly value: string;
  /** Why this value (the target endpoint, the source's name from the state file, ...). */
  readonly valueFrom: string;
  /** False when the record already pointed there (nothing sent). */
  readonly changed: boolean;
  readonly changeId?: string;
  /** From the UPSERT to INSYNC. */
  readonly ms: number;
}

export interface FlipOptions {
  /** How long Route 53 may take to report INSYNC. */
  readonly timeoutMs: number;
  /** Who asks, for the change's comment ("dmsctl cutover --flip"). */
  readonly by: string;
  /** Re-write the record even when it has the value already (the rehearsal times a flip this way). */
  readonly force?: boolean;
  /** The cutover state: the source's record value seen before a flip to the target. */
  readonly state?: CutoverState;
}

const norm = (name: string) => name.replace(/\.$/, "").toLowerCase();

/** The EC2 instance's private DNS name for a private IPv4 address (IP-based naming, the VPC default). */
export function ec2PrivateDnsName(ip: string, region: string): string {
  return `ip-${ip.replace(/\./g, "-")}.${region === "us-east-1" ? "ec2.internal" : `${region}.compute.internal`}`;
}

/**
 * The value the record has while it points at the source, as the stack writes it (constructs/database-name.ts):
 * the value seen there before the last flip to the target (state file), else a source named by host name itself,
 * else (an address) the A record `source.<zone>` of an existing source, or the EC2 instance's private DNS name.
 */
export function sourceRecordValue(outputs: Outputs, state?: CutoverState): { value: string; from: string } {
  if (state?.sourceRecordValue)
    return { value: state.sourceRecordValue, from: "the record's value before the flip to the target (state file)" };
  const host = output(outputs, OUTPUT_NAMES.sourceHost);
  if (!IPV4.test(host)) return { value: host, from: `output ${OUTPUT_NAMES.sourceHost}` };
  const mode = optionalOutput(outputs, OUTPUT_NAMES.sourceMode) ?? "ec2";
  if (mode === "existing") {
    const zone = norm(output(outputs, OUTPUT_NAMES.databaseRecordName)).split(".").slice(1).join(".");
    return { value: `${SOURCE_ADDRESS_LABEL}.${zone}`, from: `the A record of the source's address ${host}` };
  }
  const region = output(outputs, OUTPUT_NAMES.region);
  return {
    value: ec2PrivateDnsName(host, region),
    from: `the EC2 source's private DNS name for ${host}`,
  };
}

/** The record's value for a side. */
export function recordValueFor(
  to: ActiveDatabase,
  outputs: Outputs,
  state?: CutoverState,
): { value: string; from: string } {
  return to === "target"
    ? {
        value: output(outputs, OUTPUT_NAMES.targetEndpointAddress),
        from: `output ${OUTPUT_NAMES.targetEndpointAddress}`,
      }
    : sourceRecordValue(outputs, state);
}

async function route53(region: string) {
  const m = await import("@aws-sdk/client-route-53");
  // Route 53 is global; the client still wants a region for its endpoint resolution and signing.
  return { m, client: new m.Route53Client({ region }) };
}

const awsError = (what: string, e: unknown) =>
  e instanceof CliError ? e : new CliError(`${what}: ${(e as Error).name}: ${(e as Error).message}`);

/** The record named in the outputs, from Route 53. */
export async function currentRecord(outputs: Outputs): Promise<CurrentRecord> {
  const region = output(outputs, OUTPUT_NAMES.region);
  const zoneId = output(outputs, OUTPUT_NAMES.databaseZoneId);
  const name = output(outputs, OUTPUT_NAMES.databaseRecordName);
  const { m, client } = await route53(region);
  let sets;
  try {
    const r = await client.send(
      new m.ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: name,
        StartRecordType: "CNAME",
        MaxItems: 1,
      }),
    );
    sets = r.ResourceRecordSets ?? [];
  } catch (e) {
    throw awsError(`cannot read record ${name} in hosted zone ${zoneId}`, e);
  }
  const set = sets.find((x) => norm(x.Name ?? "") === norm(name) && x.Type === "CNAME");
  const value = set?.ResourceRecords?.[0]?.Value;
  if (!set || !value) {
    throw new CliError(
      `record ${name} (CNAME) not found in hosted zone ${zoneId}: was the environment applied with the stable database name (cutover.* in its config)?`,
    );
  }
  return { name, type: "CNAME", ttl: set.TTL ?? 30, value };
}

/** Points the stable name at `to`, waits for INSYNC (bounded). */
export async function flip(outputs: Outputs, to: ActiveDatabase, o: FlipOptions): Promise<FlipResult> {
  const zoneId = output(outputs, OUTPUT_NAMES.databaseZoneId);
  const current = await currentRecord(outputs);
  const want = recordValueFor(to, outputs, o.state);
  const base = {
    to,
    zoneId,
    recordName: current.name,
    type: current.type,
    ttl: current.ttl,
    previousValue: current.value,
    value: want.value,
    valueFrom: want.from,
  };
  if (norm(current.value) === norm(want.value) && !o.force) return { ...base, changed: false, ms: 0 };
  const r = await upsert(
    outputs,
    current,
    want.value,
    `${o.by}: ${current.name} -> ${to} (${want.value})`,
    o.timeoutMs,
  );
  return { ...base, changed: true, ...r };
}

/** Puts a given value back (a rollback interrupted after its flip restores the record's value from before). */
export async function restoreRecord(
  outputs: Outputs,
  value: string,
  o: { timeoutMs: number; by: string },
): Promise<{ changed: boolean; recordName: string }> {
  const current = await currentRecord(outputs);
  if (norm(current.value) === norm(value)) return { changed: false, recordName: current.name };
  await upsert(outputs, current, value, `${o.by}: ${current.name} -> ${value} (restored)`, o.timeoutMs);
  return { changed: true, recordName: current.name };
}

/**
 * The rehearsal's flip: the record re-written with the value it has, timed until INSYNC. A real Route 53 change
 * that changes nothing, so the rehearsal measures the propagation a flip would take.
 */
export async function rewriteRecord(
  outputs: Outputs,
  o: { timeoutMs: number; by: string },
): Promise<{ ms: number; changeId: string; ttl: number; value: string; recordName: string }> {
  const current = await currentRecord(outputs);
  const r = await upsert(
    outputs,
    current,
    current.value,
    `${o.by}: ${current.name} re-written unchanged (timing a flip)`,
    o.timeoutMs,
  );
  return { ...r, ttl: current.ttl, value: current.value, recordName: current.name };
}

/** One UPSERT of the record (type and TTL kept), then GetChange until INSYNC, bounded. */
async function upsert(
  outputs: Outputs,
  current: CurrentRecord,
  value: string,
  comment: string,
  timeoutMs: number,
): Promise<{ changeId: string; ms: number }> {
  const region = output(outputs, OUTPUT_NAMES.region);
  const zoneId = output(outputs, OUTPUT_NAMES.databaseZoneId);
  const { m, client } = await route53(region);
  const started = Date.now();
  let changeId: string;
  try {
    const r = await client.send(
      new m.ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Comment: comment,
          Changes: [
            {
              Action: "UPSERT",
              ResourceRecordSet: {
                Name: current.name,
                Type: "CNAME",
                TTL: current.ttl,
                ResourceRecords: [{ Value: value }],
              },
            },
          ],
        },
      }),
    );
    changeId = r.ChangeInfo?.Id ?? "";
    if (!changeId) throw new CliError(`Route 53 accepted the change of ${current.name} but returned no change id`);
    if (r.ChangeInfo?.Status === "INSYNC") return { changeId, ms: Date.now() - started };
  } catch (e) {
    throw awsError(`cannot change record ${current.name} in hosted zone ${zoneId}`, e);
  }
  const insync = await pollUntil(async () => {
    try {
      const r = await client.send(new m.GetChangeCommand({ Id: changeId }));
      return r.ChangeInfo?.Status === "INSYNC" ? true : undefined;
    } catch (e) {
      throw awsError(`cannot read Route 53 change ${changeId}`, e);
    }
  }, timeoutMs);
  if (!insync) {
    throw new CliError(
      `Route 53 change ${changeId} (${current.name} -> ${value}) is not INSYNC after ${Math.round(timeoutMs / 1000)} s: Route 53 accepted it and will apply it, but not every resolver may see it yet; check with \`aws route53 get-change --id ${changeId}\` before relying on the flip`,
    );
  }
  return { changeId, ms: Date.now() - started };
}

/**
 * How to bring the code in line after an emergency flip: the environment's `cutover.activeDatabase`, a pull
 * request and its apply (until then, an apply would point the record back).
 */
export function bringCodeInLine(env: string, outputs: Outputs, to: ActiveDatabase): string[] {
  const codeSays = optionalOutput(outputs, OUTPUT_NAMES.activeDatabase);
  if (codeSays === to)
    return [
      `The code already says cutover.activeDatabase "${to}" (output ${OUTPUT_NAMES.activeDatabase}): the next apply keeps the record as it is now.`,
    ];
  return [
    `The code still says cutover.activeDatabase "${codeSays ?? "source"}": the next terraform apply of ${env} would point the record back. Bring it in line now:`,
    `set cutover.activeDatabase: "${to}" in environments/${env}.ts, open a pull request (its plan shows no change to the record, which already points at the ${to}), merge it and let the apply run; then refresh outputs/${env}.json (terraform output -json).`,
  ];
}

/**
 * `cutover --flip` / `rollback --flip`: only the flip, for an emergency. Needs --env (the outputs name the zone,
 * the record and both databases); records the flip in the state file; prints how to bring the code in line.
 */
export async function flipOnly(v: Values, io: Io, to: ActiveDatabase, command: string): Promise<number> {
  const by = `dmsctl ${command} --flip`;
  if (!v.env)
    throw new CliError(`--flip needs --env (the environment's outputs name the hosted zone, the record and the ${to})`);
  const timeoutMs = int(v, "flip-timeout-seconds", 120, 1, 3600) * 1000;
  const env = String(v.env);
  const outputsFile = v["outputs-file"] as string | undefined;
  const outputs = readOutputs(env, outputsFile);
  const statePath = cutoverStatePath(env, outputsFile);
  const state = readState(statePath);
  const notes: string[] = [];
  if (to === "target" && state?.phase !== "cutover")
    notes.push(
      `no cutover recorded in ${statePath}: make sure the source is frozen and the forward task drained before the applications write to the target`,
    );
  if (to === "source" && state?.phase === "cutover")
    notes.push(
      `the target took writes since cutover (${statePath}): without \`dmsctl rollback\` (freeze, drain, validate) the ones the fallback has not carried yet are missing on the source`,
    );
  const r = await flip(outputs, to, { timeoutMs, by, state });
  if (r.changed)
    updateState(statePath, env, (s) => {
      if (to === "target") s.sourceRecordValue = r.previousValue;
      s.record = {
        pointsAt: to,
        value: r.value,
        previousValue: r.previousValue,
        changeId: r.changeId,
        at: new Date().toISOString(),
      };
    });
  const instructions = bringCodeInLine(env, outputs, to);
  if (format(v) === "json") io.out(JSON.stringify({ flip: r, notes, instructions }, null, 2));
  else {
    io.out(
      r.changed
        ? `${r.recordName} (CNAME, TTL ${r.ttl} s) now points at the ${to}: ${r.value} (${r.valueFrom}; was ${r.previousValue}); Route 53 change ${r.changeId} INSYNC after ${r.ms} ms. Clients follow within the TTL.`
        : `${r.recordName} already points at the ${to}: ${r.value}; nothing changed.`,
    );
    for (const n of notes) io.out(`NOTE: ${n}`);
    io.out(`\n${instructions.join("\n")}`);
  }
  return EXIT_OK;
}
