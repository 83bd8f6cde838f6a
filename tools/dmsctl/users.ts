/**
 * `dmsctl users`: creates (or rotates) the least-privilege DMS users with passwords generated here and writes them
 * straight into the DMS secrets (username, password, host, port). For an `existing` source and for the target (the
 * EC2 bootstrap never touches the target). Passwords are never printed, logged or passed in argv.
 *
 * Order, so the database and the secret never silently disagree:
 *   1. for every side first: connect (as the admin / RDS master), read the secret's current value, and check the
 *      secret can be written (its current value written again, or DescribeSecret when it has none): a failure here
 *      changes nothing on any side;
 *   2. per side: write the secret with the new password: a failure here changes nothing on that side either;
 *   3. create or rotate the user. If that SQL fails (or the run is interrupted), a login with the new password tells
 *      whether the password changed: it did not -> the previous secret value is written back; it did (a later GRANT
 *      failed) -> the secret stays, as it is the one that matches.
 */
import { randomBytes } from "crypto";
import { DMS_SOURCE_USER, DMS_TARGET_USER, renderSourceDmsUserSql, renderTargetDmsUserSql } from "./shared";
import type * as mysql from "mysql2/promise";
import { CliError, Endpoint, connect, describeEndpoint, killSession, serverInfo } from "./common";
import { currentRun, registerRestorer } from "./run-context";

export interface SecretsWriter {
  /**
   * The secret's current value, or undefined when it has none yet (a secret created empty: nothing to restore).
   * Read before the new value is written, so it can be put back if the user cannot be changed.
   */
  getSecretString(secretArn: string, region: string): Promise<string | undefined>;
  putSecretString(secretArn: string, value: string, region: string): Promise<void>;
  /**
   * Fails unless the secret can be written, changing nothing readable: called for every side before any password
   * changes. `current` is the value just read. Without it: the current value is written again (a new version with
   * the same content); a secret without a value is only checked to exist.
   */
  checkWritable?(secretArn: string, region: string, current: string | undefined): Promise<void>;
}

/** The real writer: AWS SDK v3 Secrets Manager, loaded on first use (credentials from the usual AWS chain). */
export const awsSecretsWriter: SecretsWriter = {
  async getSecretString(secretArn, region) {
    const { SecretsManagerClient, GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
    try {
      const r = await new SecretsManagerClient({ region }).send(new GetSecretValueCommand({ SecretId: secretArn }));
      return r.SecretString || undefined;
    } catch (e) {
      // A secret created without a value has no AWSCURRENT version: GetSecretValue says ResourceNotFoundException.
      // (A secret that does not exist at all says the same; the write that follows then fails, before any SQL.)
      if ((e as Error).name === "ResourceNotFoundException") return undefined;
      throw e;
    }
  },
  async putSecretString(secretArn, value, region) {
    const { SecretsManagerClient, PutSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
    await new SecretsManagerClient({ region }).send(
      new PutSecretValueCommand({ SecretId: secretArn, SecretString: value }),
    );
  },
  async checkWritable(secretArn, region, current) {
    const { SecretsManagerClient, PutSecretValueCommand, DescribeSecretCommand } =
      await import("@aws-sdk/client-secrets-manager");
    const client = new SecretsManagerClient({ region });
    // The same value again proves secretsmanager:PutSecretValue (and kms:GenerateDataKey on its key) with nothing
    // new to read; a secret created empty has nothing to write again, and nothing reads it yet.
    if (current !== undefined)
      await client.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: current }));
    else await client.send(new DescribeSecretCommand({ SecretId: secretArn }));
  },
};

/** 32 characters from [A-Za-z0-9_-], always with upper, lower, digit and '_' (MySQL validate_password), none of ; . : + */
export function generatePassword(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const bytes = randomBytes(28);
  const body = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
  return `${body}Aa1_`;
}

export interface UserSpec {
  /** Where to connect, as a user allowed to create users (the source's admin, the RDS master user). */
  readonly endpoint: Endpoint;
  readonly secretArn: string;
  /** Host and port DMS reaches the server at (defaults to the connection's). */
  readonly secretHost?: string;
  readonly secretPort?: number;
}

export interface UsersOptions {
  readonly schemas: string[];
  readonly region: string;
  readonly source?: UserSpec;
  readonly target?: UserSpec;
  readonly secrets: SecretsWriter;
  /**
   * The environment has the fallback replication (cutover.fallback): the source user also gets write grants and
   * the target user replication grants, for the CDC task from RDS back to the source. @default false
   */
  readonly fallback?: boolean;
}

export interface UsersResult {
  readonly users: { side: "source" | "target"; user: string; secretArn: string }[];
}

export async function createUsers(o: UsersOptions): Promise<UsersResult> {
  if (o.schemas.length === 0) throw new CliError("users needs --schema (the schemas DMS migrates)");
  for (const s of o.schemas) {
    if (s.length === 0 || s.length > 64)
      throw new CliError(`schema names have 1 to 64 characters, got ${JSON.stringify(s)}`);
  }
  if (!o.source && !o.target)
    throw new CliError(
      "users needs --env (the target), and/or --source with --source-secret-arn, or --target with --target-secret-arn",
    );
  for (const side of ["source", "target"] as const) {
    const arn = o[side]?.secretArn;
    if (arn !== undefined && !/^arn:aws[a-z-]*:secretsmanager:/.test(arn)) {
      throw new CliError(`--${side}-secret-arn must be a Secrets Manager secret ARN, got ${JSON.stringify(arn)}`);
    }
  }
  const sides = (["source", "target"] as const)
    .filter((side) => o[side])
    .map((side) => ({ side, spec: o[side]!, user: side === "source" ? DMS_SOURCE_USER : DMS_TARGET_USER }));
  const conns: mysql.Connection[] = [];
  try {
    // 1. Everything that can fail without changing anything, for every side, before any change on any side.
    for (const x of sides)
      conns.push(await connect(x.spec.endpoint, { multipleStatements: true, database: undefined }));
    const previous: (string | undefined)[] = [];
    for (const x of sides) {
      try {
        previous.push(await o.secrets.getSecretString(x.spec.secretArn, o.region));
      } catch (e) {
        throw new CliError(
          `cannot read the secret ${x.spec.secretArn} (${describe(e)}); it is read first so it can be restored if ${x.user} cannot be changed. Nothing was changed`,
        );
      }
    }
    const unchanged =
      sides.map((x) => `${x.user} on the ${x.side}`).join(" and ") +
      (sides.length > 1 ? " keep their passwords" : " keeps its password");
    for (const [i, x] of sides.entries()) {
      try {
        await checkWritable(o.secrets, x.spec.secretArn, o.region, previous[i]);
      } catch (e) {
        throw new CliError(
          `the secret ${x.spec.secretArn} could not be written (${describe(e)}). Nothing was changed: ${unchanged}`,
        );
      }
    }
    // 2 and 3, side by side.
    const out: UsersResult["users"] = [];
    for (const [i, x] of sides.entries()) {
      try {
        await createUser(x.side, x.spec, o, conns[i], previous[i]);
      } catch (e) {
        if (out.length === 0 || !(e instanceof CliError)) throw e;
        const done = out.map((u) => `${u.user} on the ${u.side}, secret ${u.secretArn}`).join("; ");
        throw new CliError(`${e.message} (already done: ${done})`, e.code);
      }
      out.push({ side: x.side, user: x.user, secretArn: x.spec.secretArn });
    }
    return { users: out };
  } finally {
    for (const c of conns) await c.end().catch(() => undefined);
  }
}

async function checkWritable(
  secrets: SecretsWriter,
  arn: string,
  region: string,
  current: string | undefined,
): Promise<void> {
  if (secrets.checkWritable) return secrets.checkWritable(arn, region, current);
  if (current !== undefined) await secrets.putSecretString(arn, current, region);
}

async function createUser(
  side: "source" | "target",
  spec: UserSpec,
  o: UsersOptions,
  conn: mysql.Connection,
  previous: string | undefined,
): Promise<void> {
  const user = side === "source" ? DMS_SOURCE_USER : DMS_TARGET_USER;
  const arn = spec.secretArn;
  const info = await serverInfo(conn);
  const grants = { fallback: o.fallback === true };
  const sql =
    side === "source"
      ? renderSourceDmsUserSql(o.schemas, info.flavor, DMS_SOURCE_USER, grants)
      : renderTargetDmsUserSql(o.schemas, DMS_TARGET_USER, grants);

  const password = generatePassword();
  const value = JSON.stringify({
    username: user,
    password,
    host: spec.secretHost ?? spec.endpoint.host,
    port: spec.secretPort ?? spec.endpoint.port,
    engine: "mysql",
  });
  currentRun()?.addSecret(password);
  // From the secret write until the SQL has run, an interrupt must leave the secret and the user agreeing.
  const restorer = registerRestorer(
    `the secret ${arn} and ${user} on the ${side} ${describeEndpoint(spec.endpoint)}`,
    async () => {
      const c = await connect({ ...spec.endpoint, schema: undefined }, {}, { evenIfInterrupted: true });
      try {
        await killSession(c, conn.threadId); // the SQL it had sent has landed or never will
      } finally {
        await c.end().catch(() => undefined);
      }
      const r = await afterFailedSql(side, user, spec, o, password, previous, new CliError("interrupted"));
      return { ok: r.consistent, message: r.error.message };
    },
  );
  try {
    await o.secrets.putSecretString(arn, value, o.region);
  } catch (e) {
    if (currentRun()?.interrupted) throw e;
    restorer.keep();
    throw new CliError(
      `the secret ${arn} could not be written (${describe(e, password)}). Nothing was changed: ${user} on the ${side} keeps its password`,
    );
  }
  try {
    await conn.query("SET @dms_password = ?", [password]);
    await conn.query(sql);
    restorer.keep();
  } catch (e) {
    if (currentRun()?.interrupted) throw e;
    restorer.keep(); // handled here, with the SQL's own error
    throw (await afterFailedSql(side, user, spec, o, password, previous, e)).error;
  } finally {
    await conn.query("SET @dms_password = NULL").catch(() => undefined);
  }
}

/**
 * The SQL failed (or was interrupted) after the secret was written: find out whether the password changed and put
 * the secret right. `consistent`: the secret and the user agree afterwards.
 */
async function afterFailedSql(
  side: "source" | "target",
  user: string,
  spec: UserSpec,
  o: UsersOptions,
  password: string,
  previous: string | undefined,
  sqlError: unknown,
): Promise<{ error: CliError; consistent: boolean }> {
  const arn = spec.secretArn;
  const failed = `cannot create or rotate ${user} on the ${side}: ${describe(sqlError, password)}`;
  const done = (message: string, consistent: boolean) => ({ error: new CliError(message), consistent });
  const login = await logsIn({ ...spec.endpoint, user, password, schema: undefined });
  if (login === true) {
    // CREATE/ALTER USER ran, a later statement (a GRANT) did not: the new password is live and the secret holds it.
    return done(
      `${failed}. ${user} has the new password and the secret ${arn} holds it, but its grants may be incomplete; fix the cause and run the command again`,
      true,
    );
  }
  if (login !== false) {
    return done(
      `${failed}. Could not tell whether its password changed (a login with the new one failed: ${describe(login, password)}), so the secret ${arn} keeps the new value; run the command again once the SQL can succeed`,
      false,
    );
  }
  if (previous === undefined) {
    return done(
      `${failed}. Its password did not change; the secret ${arn} had no value before, so there was nothing to restore (it now holds a password ${user} does not have); fix the cause and run the command again`,
      false,
    );
  }
  try {
    await o.secrets.putSecretString(arn, previous, o.region);
  } catch (e) {
    return done(
      `${failed}. Its password did not change, and restoring the previous value of the secret ${arn} failed (${describe(e, password)}): the secret holds a password ${user} does not have; run the command again`,
      false,
    );
  }
  return done(`${failed}. Its password did not change; the secret ${arn} was restored to its previous value`, true);
}

/** true: logged in; false: access denied; an Error: could not tell. */
async function logsIn(e: Endpoint): Promise<boolean | Error> {
  try {
    const c = await connect(e, {}, { evenIfInterrupted: true });
    await c.end().catch(() => undefined);
    return true;
  } catch (err) {
    if ((err as CliError).code === "ER_ACCESS_DENIED_ERROR") return false;
    return err as Error;
  }
}

/** An error as `Name: message` or `CODE: message` (the driver's code), never with the password in it. */
function describe(e: unknown, password?: string): string {
  const err = e as Error & { code?: unknown };
  const label =
    err?.name && err.name !== "Error" && err.name !== "CliError"
      ? err.name
      : typeof err?.code === "string" && !(err instanceof CliError)
        ? err.code
        : undefined;
  const text = label ? `${label}: ${err.message}` : String(err?.message ?? e);
  return password ? text.split(password).join("***") : text;
}
