import { CliError, EXIT_OK, Side, parseMysqlUrl, parseSslOptions } from "../common";
import { Command, format, list, schemasOf, sslFlags } from "../args";
import type { UserSpec } from "../users";

export const users: Command = {
  summary:
    "create or rotate the least-privilege DMS users and write their DMS secrets: the target as its RDS master user (--env), an existing source",
  usage: [
    "dmsctl users --env ENV [--outputs-file FILE] [--schema S[,S2]] [--region R] [--source URL [--source-secret-arn ARN]]",
    "       dmsctl users --schema S --region R [--source URL --source-secret-arn ARN] [--target URL --target-secret-arn ARN] [--source-secret-host H] [--target-secret-host H]",
  ].join("\n"),
  details: `The normal way, after terraform apply: dmsctl users --env ENV. It reads the environment's Terraform outputs and,
with your AWS credentials, the RDS-managed master user secret (output target_master_secret_arn); connects to the
target (target_endpoint_address, target_port) as that user with TLS verify-full against the RDS CAs; creates or
rotates dms_target with the grants DMS needs on the migrated schemas (output migrated_schemas, or --schema); and
writes the DMS secret (output target_dms_secret_arn: username, password, host, port, engine). No password ever
appears on the command line or in the output. Add --source URL to do an existing source too: its secret defaults
to the source_dms_secret_arn output (the password of the URL better in DMSCTL_SOURCE_PASSWORD).
Each secret is written before its user is changed; if the SQL then fails without changing the password, the
secret's previous value is written back.

Options:
  --schema S[,S2]            schemas the DMS users are granted on (default with --env: the migrated_schemas output)
  --fallback                 the grants of the fallback replication too: the source user writes, the target user
                             reads the binlog (default with --env: when the dms_fallback_task_arn output is set)
  --region R                 region of the secrets (default with --env: the region output)
  --source-secret-arn ARN    the source's DMS secret (default with --env: the source_dms_secret_arn output)
  --target-secret-arn ARN    the target's DMS secret (default with --env: the target_dms_secret_arn output)
  --source-secret-host H     the host written into the source secret, as DMS reaches it (default: the URL's host)
  --target-secret-host H     the host written into the target secret, as DMS reaches it (default: the URL's host)`,
  options: {
    schema: { type: "string" },
    region: { type: "string" },
    "source-secret-arn": { type: "string" },
    "target-secret-arn": { type: "string" },
    "source-secret-host": { type: "string" },
    "target-secret-host": { type: "string" },
    fallback: { type: "boolean" },
  },
  async run(v, io) {
    if (!v.env && !v.source && !v.target) {
      throw new CliError(
        "users needs --env ENV (the target of a deployed environment), or --source / --target URLs with their secret ARNs",
      );
    }
    const envModule = v.env ? await import("../env") : undefined;
    const outputs = envModule?.readOutputs(String(v.env), v["outputs-file"] as string | undefined);
    const { OUTPUT_NAMES } = await import("../shared");
    const fromOutputs = (name: string) => (envModule && outputs ? envModule.output(outputs, name) : undefined);

    const region = (v.region as string | undefined) ?? fromOutputs(OUTPUT_NAMES.region);
    if (!region || !/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/.test(region)) {
      throw new CliError(
        `--region must be an AWS region such as us-east-1, got ${JSON.stringify(region)}${outputs && v.region === undefined ? ` (from output ${OUTPUT_NAMES.region})` : ""}`,
      );
    }
    // Everything that can be checked without AWS or a database first.
    const schemas = list(v, "schema") ?? (envModule && outputs ? envModule.migratedSchemas(outputs) : undefined);
    const secretOf = (side: Side) => {
      const arn =
        (v[`${side}-secret-arn`] as string | undefined) ??
        fromOutputs(side === "source" ? OUTPUT_NAMES.sourceDmsSecretArn : OUTPUT_NAMES.targetDmsSecretArn);
      if (!arn) throw new CliError(`--${side}-secret-arn is required with --${side}`);
      const host = v[`${side}-secret-host`] as string | undefined;
      // DMS reaches the target at the RDS address from the outputs, whatever this machine connects through.
      if (side === "target" && envModule && outputs) {
        return {
          secretArn: arn,
          secretHost: host ?? fromOutputs(OUTPUT_NAMES.targetEndpointAddress),
          secretPort: envModule.targetPort(outputs),
        };
      }
      return { secretArn: arn, secretHost: host };
    };
    const source = v.source
      ? { endpoint: parseMysqlUrl(String(v.source), "source", io.env, sslFlags(v, "source")), ...secretOf("source") }
      : undefined;
    let target: UserSpec | undefined;
    if (v.target)
      target = {
        endpoint: parseMysqlUrl(String(v.target), "target", io.env, sslFlags(v, "target")),
        ...secretOf("target"),
      };
    else if (envModule && outputs) {
      const secret = secretOf("target");
      // --target-ssl-mode / --target-ssl-ca override verify-full against the RDS CAs only when given.
      const tls = parseSslOptions("target", sslFlags(v, "target"));
      target = {
        endpoint: await envModule.targetMasterEndpoint(outputs, envModule.awsSecretsClient, { region, ...tls }),
        ...secret,
      };
    }
    const { createUsers, awsSecretsWriter } = await import("../users");
    const r = await createUsers({
      schemas: schemas ?? schemasOf(v, source?.endpoint, target?.endpoint) ?? [],
      region,
      source,
      target,
      secrets: awsSecretsWriter,
      // With --env: the fallback task exists (its ARN output is not empty); otherwise --fallback says so.
      fallback: v.fallback === true || Boolean(outputs?.[OUTPUT_NAMES.fallbackTaskArn]),
    });
    io.out(
      format(v) === "json"
        ? JSON.stringify(r, null, 2)
        : r.users.map((u) => `${u.side}: ${u.user} ready, credentials in ${u.secretArn}`).join("\n"),
    );
    return EXIT_OK;
  },
};
