/**
 * The settings of the stable database name (constructs/database-name.ts): a Route 53 private hosted zone in the VPC
 * (or one that exists), one CNAME record the applications connect to, and which database it points at. Read by the
 * construct and by the environment configuration (`cutover.*`). Provider-free.
 */
import { Checks } from "../model/checks";

/** The two databases the stable name can point at: the original source until cutover, the RDS target after. */
export const ACTIVE_DATABASES = ["source", "target"] as const;
export type ActiveDatabase = (typeof ACTIVE_DATABASES)[number];

export interface DatabaseNameSettings {
  /**
   * The database the stable name points at. Flipping it is the cutover (`"target"`) or the rollback (`"source"`):
   * a one-line change reviewed as a plan in a pull request (`dmsctl cutover --flip` can do it through the Route 53
   * API in an emergency; this value must then follow).
   * @default "source"
   */
  readonly activeDatabase?: ActiveDatabase;
  /**
   * Name of the private hosted zone: the zone created in the VPC, or the name of the zone `existingZoneId` names.
   * @default "dms-migrate.internal"
   */
  readonly zoneName?: string;
  /**
   * An existing private hosted zone (associated with the VPC) to put the record in instead of creating one:
   * its id, e.g. "Z0123456789ABCDEFGHIJ". "" creates a zone ($0.50/month).
   * @default ""
   */
  readonly existingZoneId?: string;
  /** The record's first label: the applications connect to `<recordLabel>.<zoneName>`. @default "mysql" */
  readonly recordLabel?: string;
  /**
   * TTL of the record. Low, so that resolvers follow a flip quickly: a client keeps the old answer up to this long.
   * @default 30
   */
  readonly recordTtlSeconds?: number;
}

export type ResolvedDatabaseNameSettings = Required<DatabaseNameSettings>;

export const DATABASE_NAME_DEFAULTS: ResolvedDatabaseNameSettings = {
  activeDatabase: "source",
  zoneName: "dms-migrate.internal",
  existingZoneId: "",
  recordLabel: "mysql",
  recordTtlSeconds: 30,
};

/** First label of the A record that names a source given by IPv4 address (a CNAME cannot point at an address). */
export const SOURCE_ADDRESS_LABEL = "source";

/** Longest TTL accepted: a flip must reach every client within the hour at worst. */
export const MAX_RECORD_TTL_SECONDS = 3600;

export function resolveDatabaseNameSettings(s: DatabaseNameSettings): ResolvedDatabaseNameSettings {
  const out: Record<string, unknown> = { ...DATABASE_NAME_DEFAULTS };
  for (const [k, v] of Object.entries(s)) if (v !== undefined && k in DATABASE_NAME_DEFAULTS) out[k] = v;
  return out as ResolvedDatabaseNameSettings;
}

/** One DNS label: lowercase letters, digits and inner hyphens, 1-63 characters. */
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** A lowercase domain name of at least two labels, at most 253 characters. */
const ZONE_NAME = /^(?=.{3,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
/** A Route 53 hosted zone id. */
const ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** True when a host is written as an IPv4 address (a CNAME cannot point at it: it needs an A record). */
export function isIpv4Address(host: string): boolean {
  return IPV4.test(host);
}

/** The full name the applications connect to. */
export function databaseRecordName(s: ResolvedDatabaseNameSettings): string {
  return `${s.recordLabel}.${s.zoneName}`;
}

/** Every problem of resolved settings, fields named after `prefix` ("cutover." in the environment config). */
export function validateDatabaseNameSettings(s: ResolvedDatabaseNameSettings, prefix = ""): string[] {
  const c = new Checks(prefix);
  c.oneOf("activeDatabase", s.activeDatabase, ACTIVE_DATABASES);
  c.matches(
    "zoneName",
    s.zoneName,
    ZONE_NAME,
    'must be a lowercase domain name of two or more labels such as "dmsm-prod.internal"',
  );
  if (s.existingZoneId !== "")
    c.matches(
      "existingZoneId",
      s.existingZoneId,
      ZONE_ID,
      'must be a Route 53 hosted zone id such as "Z0123456789ABCDEFGHIJ", or "" to create the zone',
    );
  c.matches("recordLabel", s.recordLabel, LABEL, "must be one DNS label (lowercase letters, digits, inner hyphens)");
  if (s.recordLabel === SOURCE_ADDRESS_LABEL)
    c.bad(
      "recordLabel",
      `must not be "${SOURCE_ADDRESS_LABEL}" (the A record of a source given by IPv4 address)`,
      s.recordLabel,
    );
  if (typeof s.zoneName === "string" && typeof s.recordLabel === "string" && databaseRecordName(s).length > 253)
    c.bad("recordLabel", `makes the record name longer than 253 characters with ${prefix}zoneName`, s.recordLabel);
  c.int("recordTtlSeconds", s.recordTtlSeconds, 1, MAX_RECORD_TTL_SECONDS);
  return c.problems;
}
