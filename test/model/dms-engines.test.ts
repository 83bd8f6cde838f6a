import { DMS_DEFAULT_ENGINE_VERSION } from "../../constructs/dms-replication-props";
import {
  compareDmsEngineVersions,
  DMS_ENGINE_TABLE_CHECKED_ON,
  DMS_ENGINE_TABLE_SOURCE,
  DMS_ENGINE_VERSIONS,
  dmsEngineProblem,
  isIsoDay,
  newestDmsEngine,
} from "../../model/dms-engines";

const day = (iso: string): Date => new Date(`${iso}T12:00:00Z`);

describe("dmsEngineProblem", () => {
  it("refuses a version that is not in the table, naming it and the day", () => {
    const problem = dmsEngineProblem("3.9.9", day("2026-12-06"));
    expect(problem).toMatch(/"3\.9\.9" is not in the engine table/);
    expect(problem).toContain("2026-12-06");
    expect(problem).toContain("use 3.6.1");
  });

  it("refuses a version older than MySQL 8.4 support", () => {
    const problem = dmsEngineProblem("3.5.3", day("2025-06-01"));
    expect(problem).toMatch(/3\.5\.3 predates MySQL 8\.4 support/);
    expect(problem).toContain("2025-06-01");
  });

  it("accepts 3.6.1 up to its no-new-instances day and refuses it from the day after, naming a newer version", () => {
    expect(dmsEngineProblem("3.6.1", day("2027-04-30"))).toBeUndefined();
    expect(dmsEngineProblem("3.6.1", new Date("2027-04-30T23:59:59.999Z"))).toBeUndefined();
    const problem = dmsEngineProblem("3.6.1", new Date("2027-05-01T00:00:00Z"));
    expect(problem).toMatch(/3\.6\.1 takes no new instances after 2027-04-30/);
    expect(problem).toContain("2027-05-01");
    // No version in the table is accepted then: the message says so and points at the page to update from.
    expect(problem).toContain(DMS_ENGINE_TABLE_SOURCE.url);
  });

  it("compares in UTC days, whatever the local offset of the Date", () => {
    // 2027-05-01T01:00+02:00 is still 2027-04-30 in UTC.
    expect(dmsEngineProblem("3.6.1", new Date("2027-05-01T01:00:00+02:00"))).toBeUndefined();
  });

  it("names the newest accepted version when an older one is past its date", () => {
    const problem = dmsEngineProblem("3.6.0", day("2026-12-06"));
    expect(problem).toMatch(/3\.6\.0 takes no new instances after 2026-04-27/);
    expect(problem).toContain("use 3.6.1");
  });

  it("refuses a version before its release date", () => {
    expect(dmsEngineProblem("3.6.1", day("2025-01-01"))).toMatch(/not released until 2025-05-15/);
  });

  it("rejects an invalid Date", () => {
    expect(() => dmsEngineProblem("3.6.1", new Date("not a date"))).toThrow(/not a valid Date/);
  });
});

describe("newestDmsEngine", () => {
  it("is the newest version accepted on the day", () => {
    expect(newestDmsEngine(day("2026-12-06"))).toBe("3.6.1");
    expect(newestDmsEngine(day("2027-04-30"))).toBe("3.6.1");
    expect(newestDmsEngine(day("2025-03-01"))).toBe("3.6.0");
    expect(newestDmsEngine(day("2024-12-01"))).toBe("3.5.4");
  });

  it("throws, pointing at the page, when nothing in the table is accepted", () => {
    expect(() => newestDmsEngine(day("2027-05-01"))).toThrow(DMS_ENGINE_TABLE_SOURCE.url);
  });

  it("agrees with dmsEngineProblem", () => {
    for (const d of ["2024-12-01", "2025-06-01", "2026-05-01", "2026-12-06", "2027-04-30"]) {
      expect(dmsEngineProblem(newestDmsEngine(day(d)), day(d))).toBeUndefined();
    }
  });
});

describe("DMS_ENGINE_VERSIONS", () => {
  it("is sorted by version, without duplicates", () => {
    for (let i = 1; i < DMS_ENGINE_VERSIONS.length; i++) {
      expect(compareDmsEngineVersions(DMS_ENGINE_VERSIONS[i - 1].version, DMS_ENGINE_VERSIONS[i].version)).toBeLessThan(
        0,
      );
    }
    expect(compareDmsEngineVersions("3.5.4", "3.10.0")).toBeLessThan(0);
  });

  it("has well-formed versions and ISO days, released <= no new instances <= end of life", () => {
    for (const e of DMS_ENGINE_VERSIONS) {
      expect(e.version).toMatch(/^\d+\.\d+\.\d+$/);
      for (const d of [e.released, e.noNewInstancesAfter, e.endOfLife]) {
        if (d !== undefined)
          expect({ version: e.version, day: d, ok: isIsoDay(d) }).toEqual({ version: e.version, day: d, ok: true });
      }
      if (e.released && e.noNewInstancesAfter) expect(e.released <= e.noNewInstancesAfter).toBe(true);
      if (e.noNewInstancesAfter && e.endOfLife) expect(e.noNewInstancesAfter <= e.endOfLife).toBe(true);
    }
    expect(isIsoDay(DMS_ENGINE_TABLE_CHECKED_ON)).toBe(true);
    expect(isIsoDay("2027-02-30")).toBe(false);
    expect(DMS_ENGINE_TABLE_SOURCE.url).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/dms\//);
  });

  it("marks MySQL 8.4 support from 3.5.4", () => {
    for (const e of DMS_ENGINE_VERSIONS) {
      expect({ version: e.version, mysql84: e.mysql84 === true }).toEqual({
        version: e.version,
        mysql84: compareDmsEngineVersions(e.version, "3.5.4") >= 0,
      });
    }
  });

  it("accepts the project's default engine version today", () => {
    expect(dmsEngineProblem(DMS_DEFAULT_ENGINE_VERSION, new Date())).toBeUndefined();
  });
});
