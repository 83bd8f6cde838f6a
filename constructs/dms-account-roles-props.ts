/**
 * The settings of the DMS account roles: defaults and validator, read by the construct
 * (constructs/dms-account-roles.ts): the account stack manages them, every environment looks them up. Provider-free.
 */
import { Checks } from "../model/checks";

/** How a stack holds the account roles. */
export type DmsAccountRolesMode = "manage" | "lookup";

export interface DmsAccountRolesSettings {
  /**
   * `manage` (the `account` stack, once per AWS account): create the roles, or adopt them through an import block
   * when they already exist (the DMS console creates `dms-vpc-role` by itself), and keep them with
   * `prevent_destroy`. `lookup` (every environment stack): read them and stop the plan with a clear message when the
   * account stack has not been applied yet. Environment stacks never own them, so destroying one environment
   * cannot delete the roles the others use.
   * @default "lookup"
   */
  readonly mode?: DmsAccountRolesMode;
  /** `manage` only: seconds to wait after attaching the policies (IAM is eventually consistent). @default 10 */
  readonly propagationWaitSeconds?: number;
}

export type ResolvedDmsAccountRolesSettings = Required<DmsAccountRolesSettings>;

export const DMS_ACCOUNT_ROLES_DEFAULTS: ResolvedDmsAccountRolesSettings = {
  mode: "lookup",
  propagationWaitSeconds: 10,
};

export function resolveDmsAccountRolesSettings(s: DmsAccountRolesSettings): ResolvedDmsAccountRolesSettings {
  return {
    mode: s.mode ?? DMS_ACCOUNT_ROLES_DEFAULTS.mode,
    propagationWaitSeconds: s.propagationWaitSeconds ?? DMS_ACCOUNT_ROLES_DEFAULTS.propagationWaitSeconds,
  };
}

export function validateDmsAccountRolesSettings(s: ResolvedDmsAccountRolesSettings, prefix = ""): string[] {
  const c = new Checks(prefix);
  c.oneOf("mode", s.mode, ["manage", "lookup"]);
  c.int("propagationWaitSeconds", s.propagationWaitSeconds, 0, 300);
  return c.problems;
}
