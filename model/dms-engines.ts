/**
 * AWS DMS replication engine versions, with the dates that decide whether this project may still create a
 * replication instance on a given version.
 *
 * Why it exists: AWS upgrades a replication instance when its engine version reaches end of life (the "EOL date"
 * column of the release notes), even with `auto_minor_version_upgrade = false`, and DMS never downgrades. The
 * stack pins the engine version and ignores later drift of `engine_version`; the configuration must therefore refuse
 * a version that can no longer be used for new instances ("No new instance date") and name the version to move to.
 *
 * Provider-free on purpose (no cdktf, no @cdktf/provider-aws, no constructs): the environment config and dmsctl load it.
 *
 * How to update the table:
 *  1. Read the table at the top of {@link DMS_ENGINE_TABLE_SOURCE} ("AWS DMS release notes": columns Version,
 *     Release date, No new instance date, EOL date). The English page is the reference; AWS's translated copies of the
 *     same page lag behind it and have disagreed with it (see the notes on each row).
 *  2. For a new engine version, also read "Sources for AWS DMS" and "Targets for AWS DMS" in the DMS User Guide
 *     (MySQL versions and the "MySQL and DMS compatibility" table) before setting `mysql84`.
 *  3. Write dates as ISO `YYYY-MM-DD`; leave a date out when the page says "TBD" or gives none (never guess one).
 *  4. Keep the rows sorted by version, ascending; set {@link DMS_ENGINE_TABLE_CHECKED_ON} to the day you read the page.
 *  5. Run `test/model/dms-engines.test.ts`: it checks the order, the date formats, and that the project's default
 *     engine version is still accepted today.
 */

/** One engine version as the AWS DMS release notes date it. */
export interface DmsEngineVersion {
  /** Engine version as DMS spells it (`engine_version`), e.g. "3.6.1". */
  readonly version: string;
  /** Release date (UTC day, `YYYY-MM-DD`). */
  readonly released?: string;
  /**
   * Last day (UTC, `YYYY-MM-DD`) on which a new replication instance can be created with this version; the
   * release notes' "No new instance date" ("the date after which you can't create new instances with the version").
   * Absent when the page gives none ("TBD").
   */
  readonly noNewInstancesAfter?: string;
  /**
   * The day (UTC, `YYYY-MM-DD`) DMS upgrades instances still on this version: the release notes' "EOL date"
   * ("the date when DMS automatically updates instances of that version"). Absent when the page gives none.
   */
  readonly endOfLife?: string;
  /** DMS supports MySQL 8.4 as source and as target on this version (the project needs it: RDS MySQL 8.4). */
  readonly mysql84?: boolean;
  /** Where the dates come from when the stored copies of the page disagree. */
  readonly note?: string;
}

/** The page the table is read from (see the module comment for how to update it). */
export const DMS_ENGINE_TABLE_SOURCE = {
  url: "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReleaseNotes.html",
  title: "AWS DMS release notes",
} as const;

/** The day the table was last checked against {@link DMS_ENGINE_TABLE_SOURCE}. */
export const DMS_ENGINE_TABLE_CHECKED_ON = "2026-12-06";

/**
 * DMS engine versions 3.5.1 and later, oldest first.
 *
 * Where copies of the release notes disagreed on a date, the row keeps the earliest date published in a copy that
 * already gives 3.5.4 as the default engine version (so the guard refuses early rather than late), and its `note`
 * names the other values. Copies read on {@link DMS_ENGINE_TABLE_CHECKED_ON}:
 *  - English: https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReleaseNotes.html
 *  - Japanese: https://docs.aws.amazon.com/ja_jp/dms/latest/userguide/CHAP_ReleaseNotes.md
 *  - Chinese (China Regions): https://docs.amazonaws.cn/dms/latest/userguide/CHAP_ReleaseNotes.md
 *
 * `mysql84`: "Sources for AWS DMS" and "Targets for AWS DMS" list MySQL 8.4 among the supported source and target
 * versions; the first engine version with MySQL 8.4 support (3.5.4) is the project's reading, not a line quoted from a
 * page (the version table on "Sources for AWS DMS" did not come through in the copy read). Re-check it there.
 */
export const DMS_ENGINE_VERSIONS: readonly DmsEngineVersion[] = [
  {
    version: "3.5.1",
    released: "2023-06-30",
    noNewInstancesAfter: "2024-11-30",
    endOfLife: "2025-03-15",
    mysql84: false,
  },
  {
    version: "3.5.2",
    released: "2023-10-29",
    noNewInstancesAfter: "2025-03-30",
    endOfLife: "2025-04-29",
    mysql84: false,
  },
  {
    version: "3.5.3",
    released: "2024-05-17",
    noNewInstancesAfter: "2026-02-28",
    endOfLife: "2026-06-30",
    mysql84: false,
  },
  {
    version: "3.5.4",
    released: "2024-11-15",
    noNewInstancesAfter: "2026-09-15",
    endOfLife: "2026-11-15",
    mysql84: true,
    note: "Japanese and Chinese copies; the English copy gives 2027-01-31 (no new instances) and 2027-03-31 (EOL).",
  },
  {
    version: "3.6.0",
    released: "2024-12-27",
    noNewInstancesAfter: "2026-04-27",
    endOfLife: "2026-06-27",
    mysql84: true,
    note: "EOL from the Chinese copy; the English and Japanese copies give 2026-07-27.",
  },
  {
    version: "3.6.1",
    released: "2025-05-15",
    noNewInstancesAfter: "2027-04-30",
    endOfLife: "2027-06-30",
    mysql84: true,
    note: "Japanese and Chinese copies; the English copy gives TBD for both dates.",
  },
];

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC day of `on` as `YYYY-MM-DD`: the table's dates are days, compared in UTC. */
function utcDay(on: Date): string {
  if (Number.isNaN(on.getTime())) throw new Error("DMS engine check: the date is not a valid Date");
  return on.toISOString().slice(0, 10);
}

/** Whether `day` is a real calendar day written `YYYY-MM-DD`. */
export function isIsoDay(day: string): boolean {
  if (!ISO_DAY.test(day)) return false;
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
}

/** Compares two DMS engine versions ("3.5.4" < "3.6.1" < "3.10.0"), numerically part by part. */
export function compareDmsEngineVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The table's row for `version`, if any. */
export function findDmsEngine(version: string): DmsEngineVersion | undefined {
  return DMS_ENGINE_VERSIONS.find((e) => e.version === version);
}

/**
 * Whether a new replication instance may run `engine` on UTC day `day`: MySQL 8.4 support, released by that day (when
 * the release date is known), and not past "no new instances" (refused from the day after `noNewInstancesAfter`).
 */
function acceptedOn(engine: DmsEngineVersion, day: string): boolean {
  if (!engine.mysql84) return false;
  if (engine.released !== undefined && day < engine.released) return false;
  return engine.noNewInstancesAfter === undefined || day <= engine.noNewInstancesAfter;
}

/** The newest table version accepted on `day`, if any. */
function newestAcceptedOn(day: string): DmsEngineVersion | undefined {
  return [...DMS_ENGINE_VERSIONS].reverse().find((e) => acceptedOn(e, day));
}

/** "use X" for a refusal message, or what to do when nothing in the table is accepted that day. */
function suggestion(day: string): string {
  const newest = newestAcceptedOn(day);
  return newest
    ? `use ${newest.version}`
    : `no version in the table is accepted on ${day}; update model/dms-engines.ts from ${DMS_ENGINE_TABLE_SOURCE.url}`;
}

/**
 * Why the project must not create a replication instance on engine `version` on day `on` (UTC), or undefined when it
 * may. Refuses a version that is not in {@link DMS_ENGINE_VERSIONS}, one without MySQL 8.4 support, one not yet
 * released on that day, and one past its "no new instances" date (from the day after `noNewInstancesAfter`). The
 * message names the version and the day and, for a dated refusal, the newest version accepted on that day.
 */
export function dmsEngineProblem(version: string, on: Date): string | undefined {
  const day = utcDay(on);
  const engine = findDmsEngine(version);
  if (!engine) {
    return (
      `DMS engine ${JSON.stringify(version)} is not in the engine table (model/dms-engines.ts, checked ` +
      `${DMS_ENGINE_TABLE_CHECKED_ON} against ${DMS_ENGINE_TABLE_SOURCE.url}); on ${day} ${suggestion(day)}`
    );
  }
  if (!engine.mysql84) {
    return `DMS engine ${version} predates MySQL 8.4 support (3.5.4 and later); on ${day} ${suggestion(day)}`;
  }
  if (engine.released !== undefined && day < engine.released) {
    return `DMS engine ${version} is not released until ${engine.released} (checked for ${day}); ${suggestion(day)}`;
  }
  if (engine.noNewInstancesAfter !== undefined && day > engine.noNewInstancesAfter) {
    const eol = engine.endOfLife ? `, and DMS upgrades existing instances on ${engine.endOfLife}` : "";
    return (
      `DMS engine ${version} takes no new instances after ${engine.noNewInstancesAfter}${eol} ` +
      `(${DMS_ENGINE_TABLE_SOURCE.title}); on ${day} ${suggestion(day)}`
    );
  }
  return undefined;
}

/**
 * The newest engine version in the table that {@link dmsEngineProblem} accepts on day `on` (UTC).
 * Throws when none is (the table is out of date: update it from {@link DMS_ENGINE_TABLE_SOURCE}).
 */
export function newestDmsEngine(on: Date): string {
  const day = utcDay(on);
  const newest = newestAcceptedOn(day);
  if (!newest) throw new Error(`DMS engine: ${suggestion(day)}`);
  return newest.version;
}
