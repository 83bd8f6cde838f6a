/**
 * The settings of the premigration assessment's storage (constructs/dms-assessment.ts): the S3 bucket DMS writes
 * assessment results to and the role it writes them with. Read by the construct and by the environment
 * configuration (`cutover.assessment`). Provider-free.
 */
import { Checks } from "../model/checks";

export interface DmsAssessmentSettings {
  /**
   * Days an assessment result is kept after it is written (then it expires; an overwritten or deleted result is
   * kept 30 more days as a noncurrent version). The results are the evidence of a go/no-go: keep them past the
   * cutover. @default 90
   */
  readonly resultExpirationDays?: number;
  /**
   * Let `terraform destroy` delete the bucket with the results still in it. Off, a destroy stops at a non-empty
   * bucket so that the evidence is not lost by accident. @default false
   */
  readonly forceDestroy?: boolean;
}

export type ResolvedDmsAssessmentSettings = Required<DmsAssessmentSettings>;

export const DMS_ASSESSMENT_DEFAULTS: ResolvedDmsAssessmentSettings = {
  resultExpirationDays: 90,
  forceDestroy: false,
};

/** Days an overwritten or deleted result is kept (as a noncurrent version) before it expires. */
export const ASSESSMENT_NONCURRENT_VERSION_DAYS = 30;

export function resolveDmsAssessmentSettings(s: DmsAssessmentSettings): ResolvedDmsAssessmentSettings {
  const out: Record<string, unknown> = { ...DMS_ASSESSMENT_DEFAULTS };
  for (const [k, v] of Object.entries(s)) if (v !== undefined && k in DMS_ASSESSMENT_DEFAULTS) out[k] = v;
  return out as ResolvedDmsAssessmentSettings;
}

/** Every problem of resolved settings, fields named after `prefix` ("cutover.assessment." in the config). */
export function validateDmsAssessmentSettings(s: ResolvedDmsAssessmentSettings, prefix = ""): string[] {
  const c = new Checks(prefix);
  c.int("resultExpirationDays", s.resultExpirationDays, 1, 3650);
  c.bool("forceDestroy", s.forceDestroy);
  return c.problems;
}
