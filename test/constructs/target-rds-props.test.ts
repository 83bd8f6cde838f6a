import {
  resolveTargetRdsSettings,
  TARGET_RDS_DEFAULTS,
  validateTargetRdsSettings,
} from "../../constructs/target-rds-props";

describe("target settings", () => {
  test("the defaults are valid, and resolving fills every unset field with its default", () => {
    expect(validateTargetRdsSettings(TARGET_RDS_DEFAULTS)).toEqual([]);
    expect(resolveTargetRdsSettings({ instanceClass: "db.t4g.small", multiAz: undefined })).toEqual({
      ...TARGET_RDS_DEFAULTS,
      instanceClass: "db.t4g.small",
    });
  });

  test("reports every problem at once, each field named after the prefix with its value", () => {
    const problems = validateTargetRdsSettings(
      {
        ...TARGET_RDS_DEFAULTS,
        instanceClass: "m5.large",
        backupRetentionDays: 0,
        logExports: ["error", "trace" as never],
        secretRecoveryWindowDays: 3,
      },
      "target.",
    );
    expect(problems).toEqual([
      'target.instanceClass must be a known RDS instance class such as db.t3.micro, got "m5.large"',
      "target.backupRetentionDays must be an integer between 1 and 35, got 0",
      'target.logExports[1] must be one of "audit", "error", "general", "iam-db-auth-error", "slowquery", got "trace"',
      "target.secretRecoveryWindowDays must be an integer between 7 and 30, got 3",
    ]);
  });

  test("0 is a valid secret recovery window (delete at once) and a valid storage ceiling (no autoscaling)", () => {
    expect(
      validateTargetRdsSettings({ ...TARGET_RDS_DEFAULTS, secretRecoveryWindowDays: 0, maxAllocatedStorageGiB: 0 }),
    ).toEqual([]);
  });
});
