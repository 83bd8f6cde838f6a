/**
 * The settings of the Terraform state bucket: defaults and validator, read by the construct
 * (constructs/state-backend.ts). The environment config holds the bucket's name and region under `state`.
 * Provider-free.
 */
import { Checks, isToken } from "../model/checks";

export interface StateBackendSettings {
  /** Name of the state bucket (globally unique: the state-backend stack names it after the account). */
  readonly bucketName: string;
  /** Days a superseded state version is kept before it expires. @default 90 */
  readonly noncurrentVersionRetentionDays?: number;
}

export type ResolvedStateBackendSettings = Required<StateBackendSettings>;

export const STATE_BACKEND_DEFAULTS = { noncurrentVersionRetentionDays: 90 } as const;

/** An S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, no "..", not xn--. */
export const BUCKET_NAME_PATTERN = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function resolveStateBackendSettings(s: StateBackendSettings): ResolvedStateBackendSettings {
  return {
    ...STATE_BACKEND_DEFAULTS,
    ...Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)),
  } as ResolvedStateBackendSettings;
}

/** Every problem of resolved state-bucket settings (a name still a token, e.g. with the account id, is Terraform's to check). */
export function validateStateBackendSettings(s: ResolvedStateBackendSettings, prefix = ""): string[] {
  const c = new Checks(prefix);
  if (!isToken(s.bucketName))
    c.matches("bucketName", s.bucketName, BUCKET_NAME_PATTERN, "must be a valid S3 bucket name");
  c.int("noncurrentVersionRetentionDays", s.noncurrentVersionRetentionDays, 1, 3650);
  return c.problems;
}
