import { EXIT_FINDING, EXIT_OK, Endpoint, parseSslOptions, renderTable } from "../common";
import { Command, format, need, schemasOf, sslFlags } from "../args";

export const schema: Command = {
  summary:
    "copy table definitions source -> target before the full load (foreign keys and triggers held back); --finalize adds them",
  usage: [
    "dmsctl schema --env ENV [--outputs-file FILE] [--source URL] [--schema S[,S2]] [--finalize] [--force] [--dry-run]",
    "       dmsctl schema --source URL --target URL [--schema S] [--finalize] [--force] [--dry-run]",
  ].join("\n"),
  details: `Options:
  --schema S[,S2]           schemas to copy (default: the schema of the --source/--target URL, with --env the
                            environment's migrated_schemas output)
  --finalize                at cutover: add the foreign keys and triggers held back before the full load (default off)
  --force                   recreate target tables whose definition differs even when they have rows, losing the
                            rows (default off: such tables are refused and reported as drift)
  --dry-run                 change nothing: list what would be created or recreated, and report it as drift,
                            including a schema the target does not have (default off)
Drift names what differs: each column or index only on one side or defined differently (both definitions),
column order, table options. Exit 0 when source and target agree, 1 on drift or a refused table, 2 on a usage or
connection error.
With --env ENV the target is reached as the RDS master user, exactly as dmsctl users --env does: the
RDS-managed master user secret (output target_master_secret_arn, read with your AWS credentials), TLS verify-full
against the RDS CAs (--target-ssl-mode / --target-ssl-ca override it). Not as dms_target: the DMS user may not
create triggers or reference tables in foreign keys, and triggers created by it would stop working once it is
dropped after the migration. The schemas default to the migrated_schemas output. The source is --source URL or,
without it, the source DMS secret, whose user (dms_source, SELECT only) cannot see triggers, so --finalize refuses
it: pass --source with an account that has the TRIGGER privilege (password in DMSCTL_SOURCE_PASSWORD).
An explicit --target URL is used as given.
A run is all or nothing: when a statement fails (a privilege the target user lacks, ERROR 1419 without
log_bin_trust_function_creators = 1, a lost connection), the changes this run made are undone before it exits 2.`,
  options: {
    schema: { type: "string" },
    finalize: { type: "boolean" },
    force: { type: "boolean" },
    "dry-run": { type: "boolean" },
  },
  async run(v, io) {
    const source = await need(v, "source", io);
    let target: Endpoint;
    let schemas: string[] | undefined;
    const viaMaster = !v.target && !!v.env;
    if (viaMaster) {
      // The RDS master user, as `users --env`: the one account that may create triggers and foreign keys there.
      const tls = parseSslOptions("target", sslFlags(v, "target"));
      const { readOutputs, targetMasterEndpoint, migratedSchemas, awsSecretsClient } = await import("../env");
      const outputs = readOutputs(String(v.env), v["outputs-file"] as string | undefined);
      schemas = schemasOf(v, source) ?? migratedSchemas(outputs);
      target = await targetMasterEndpoint(outputs, awsSecretsClient, tls);
    } else {
      target = await need(v, "target", io);
      schemas = schemasOf(v, source, target);
    }
    const { copySchema } = await import("../schema");
    const r = await copySchema(source, target, {
      schemas: schemas ?? [],
      finalize: v.finalize === true,
      force: v.force === true,
      dryRun: v["dry-run"] === true,
      targetIsRdsMaster: viaMaster,
    });
    if (format(v) === "json") io.out(JSON.stringify(r, null, 2));
    else {
      io.out(
        renderTable(
          ["table", "action", "detail"],
          r.events.map((e) => [e.table, e.action, e.detail ?? ""]),
        ),
      );
      io.out(
        r.drift.length === 0
          ? "\nno drift between source and target"
          : `\ndrift:\n${renderTable(
              ["table", "detail"],
              r.drift.map((d) => [d.table, d.detail]),
            )}`,
      );
      if (v["dry-run"] === true) io.out("\n(dry run: nothing was changed on the target)");
    }
    return r.drift.length === 0 && !r.events.some((e) => e.action === "refused") ? EXIT_OK : EXIT_FINDING;
  },
};
