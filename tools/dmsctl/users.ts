/**
 * `dmsctl users`: creates (or rotates) the least-privilege DMS users with passwords generated here and writes them
 * straight into the DMS secrets (username, password, host, port). For an `existing` source and for the target when
 * the EC2 bootstrap does not run. Passwords are never printed, logged or passed in argv.
 */
import { randomBytes } from "crypto";
import { DMS_SOURCE_USER, DMS_TARGET_USER, renderSourceDmsUserSql, renderTargetDmsUserSql } from "./shared";
import { CliError, Endpoint, connect, serverInfo } from "./common";

export interface SecretsWriter {
  putSecretString(secretArn: string, value: string, region: string): Promise<void>;
}

export const awsSecretsWriter: SecretsWriter = {
  async putSecretString(secretArn, value, region) {
    const { SecretsManagerClient, PutSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
    await new SecretsManagerClient({ region }).send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: value }));
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
}

export interface UsersResult {
  readonly users: { side: "source" | "target"; user: string; secretArn: string }[];
}

export async function createUsers(o: UsersOptions): Promise<UsersResult> {
  if (o.schemas.length === 0) throw new CliError("users needs --schema (the schemas DMS migrates)");
  if (!o.source && !o.target) throw new CliError("users needs --source with --source-secret-arn and/or --target with --target-secret-arn");
  const out: UsersResult["users"] = [];
  for (const side of ["source", "target"] as const) {
    const spec = o[side];
    if (!spec) continue;
    if (!/^arn:aws[a-z-]*:secretsmanager:/.test(spec.secretArn)) {
      throw new CliError(`--${side}-secret-arn must be a Secrets Manager secret ARN, got ${JSON.stringify(spec.secretArn)}`);
    }
    const conn = await connect(spec.endpoint, { multipleStatements: true, database: undefined });
    const user = side === "source" ? DMS_SOURCE_USER : DMS_TARGET_USER;
    const password = generatePassword();
    try {
      const info = await serverInfo(conn);
      const sql = side === "source" ? renderSourceDmsUserSql(o.schemas, info.flavor) : renderTargetDmsUserSql(o.schemas);
      await conn.query("SET @dms_password = ?", [password]);
      await conn.query(sql);
      await conn.query("SET @dms_password = NULL");
    } catch (e) {
      throw new CliError(`cannot create ${user} on the ${side}: ${(e as Error).message}`);
    } finally {
      await conn.end().catch(() => undefined);
    }
    const value = JSON.stringify({
      username: user,
      password,
      host: spec.secretHost ?? spec.endpoint.host,
      port: spec.secretPort ?? spec.endpoint.port,
      engine: "mysql",
    });
    try {
      await o.secrets.putSecretString(spec.secretArn, value, o.region);
    } catch (e) {
      throw new CliError(
        `${user} has a new password on the ${side} but the secret ${spec.secretArn} could not be written (${(e as Error).name}: ${(e as Error).message}); run the command again once the secret is writable: it rotates the password again`,
      );
    }
    out.push({ side, user, secretArn: spec.secretArn });
  }
  return { users: out };
}
