/**
 * The one list of changes the Terraform checks may make to a synthesized stack, and only when the providers at
 * hand cannot read it as written: the offline mirror of these machines has hashicorp/aws 5.100.0 (the stacks pin
 * 6.25.0) and no hashicorp/time. With the pinned providers (the registry, in CI) none applies.
 *
 * Each entry names the feature, the provider versions it needs, what it does to the JSON and to the HCL, and a
 * probe: the smallest configuration that uses the feature. terraform.test.ts runs every probe against the providers
 * at hand and requires it to fail exactly when the substitution applies. So once a mirror's provider learns a
 * feature, its test fails and the entry must go: no real defect can hide behind this list.
 */

export type Doc = Record<string, unknown>;

export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
/** Provider versions at hand by "namespace/type"; undefined = not available at all. */
export type Available = Record<string, string | undefined>;

export interface Substitution {
  readonly id: string;
  /** Why it exists, for the test report. */
  readonly why: string;
  readonly applies: (avail: Available) => boolean;
  /** The provider it takes out of the configuration, if any. */
  readonly removesProvider?: string;
  readonly json: (doc: Doc, avail: Available) => Doc;
  readonly hcl: (text: string, avail: Available) => string;
  /** A configuration (file name -> text) that uses the feature, and what Terraform says when it cannot. */
  readonly probe: {
    readonly files: (avail: Available) => Record<string, string>;
    /** The command that fails without the feature: "validate" (after init) or "init". */
    readonly command: "validate" | "init";
    readonly missing: RegExp;
  };
}

const AWS = "hashicorp/aws";
const TIME = "hashicorp/time";
const older = (avail: Available, provider: string, than: string) => {
  const v = avail[provider];
  return v !== undefined && compareVersions(v, than) < 0;
};
const each = (doc: Doc, type: string): Record<string, Doc> =>
  ((doc.resource as Doc | undefined)?.[type] ?? {}) as Record<string, Doc>;
const awsProbe = (body: string, avail: Available) =>
  `terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = "${avail[AWS]}"\n    }\n  }\n}\n${body}`;

/** Removes every `name { ... }` nested block from resources of `type` in HCL text (cdktf's layout: one per line). */
function removeNestedBlock(text: string, type: string, name: string): string {
  const lines = text.split("\n");
  const out: string[] = [];
  let inType = false;
  let skipDepth = 0;
  for (const line of lines) {
    if (skipDepth > 0) {
      skipDepth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
      continue;
    }
    if (/^resource "/.test(line)) inType = line.startsWith(`resource "${type}" `);
    if (inType && new RegExp(`^\\s+${name}\\s*\\{`).test(line)) {
      skipDepth = (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
      continue;
    }
    out.push(line);
  }
  return out.join("\n");
}

/** Sets `required_providers.aws.version` to the version at hand. */
function pinAws(doc: Doc, avail: Available): Doc {
  const req = (doc.terraform as Doc).required_providers as Record<string, Doc>;
  for (const spec of Object.values(req))
    if (String(spec.source).replace(/^hashicorp\//, "") === "aws") spec.version = avail[AWS];
  return doc;
}

export const SUBSTITUTIONS: Substitution[] = [
  {
    id: "aws-version",
    why: "the AWS provider at hand is older than the pinned one: the version constraint names the one at hand",
    applies: (a) => older(a, AWS, "6.25.0"),
    json: pinAws,
    hcl: (text, a) => text.replace(/(\n\s+aws = \{\n(?:\s+\w+\s*=.*\n)*?\s+version\s*=\s*)"[^"]*"/, `$1"${a[AWS]}"`),
    probe: {
      // The pinned version itself: init fails where the source does not have it.
      files: () => ({ "main.tf": awsProbe("", { [AWS]: "6.25.0" }) }),
      command: "init",
      missing:
        /no available releases match|not found in any of the search locations|Failed to query available provider packages/,
    },
  },
  {
    id: "aws-6.15-dms-endpoint-mysql-settings",
    why: "aws_dms_endpoint.mysql_settings exists from AWS provider 6.15: the block is removed",
    applies: (a) => older(a, AWS, "6.15.0"),
    json: (doc) => {
      for (const r of Object.values(each(doc, "aws_dms_endpoint"))) delete r.mysql_settings;
      return doc;
    },
    hcl: (text) => removeNestedBlock(text, "aws_dms_endpoint", "mysql_settings"),
    probe: {
      files: (a) => ({
        "main.tf": awsProbe(
          `resource "aws_dms_endpoint" "e" {\n  endpoint_id   = "e"\n  endpoint_type = "source"\n  engine_name   = "mysql"\n  mysql_settings {\n    events_poll_interval = 5\n  }\n}\n`,
          a,
        ),
      }),
      command: "validate",
      missing: /Unsupported block type[\s\S]*mysql_settings|No argument or block type is named "mysql_settings"/,
    },
  },
  {
    id: "aws-6.0-data-aws-region-region",
    why: "data.aws_region's `region` attribute exists from AWS provider 6.0 (5.x calls it `name`): references are renamed",
    applies: (a) => older(a, AWS, "6.0.0"),
    json: (doc) => JSON.parse(JSON.stringify(doc).replace(/(data\.aws_region\.[\w-]+)\.region\b/g, "$1.name")) as Doc,
    hcl: (text) => text.replace(/(data\.aws_region\.[\w-]+)\.region\b/g, "$1.name"),
    probe: {
      files: (a) => ({
        "main.tf": awsProbe(`data "aws_region" "r" {}\noutput "r" {\n  value = data.aws_region.r.region\n}\n`, a),
      }),
      command: "validate",
      missing: /Unsupported attribute[\s\S]*"region"/,
    },
  },
  {
    id: "time-provider-unavailable",
    why: "hashicorp/time is not in the provider mirror: each time_sleep becomes a terraform_data (built in) with the same dependencies and its duration as input",
    applies: (a) => a[TIME] === undefined && TIME in a,
    removesProvider: TIME,
    json: (doc) => {
      const resource = doc.resource as Record<string, Record<string, Doc>>;
      const sleeps = resource.time_sleep ?? {};
      delete resource.time_sleep;
      resource.terraform_data = {
        ...(resource.terraform_data ?? {}),
        ...Object.fromEntries(
          Object.entries(sleeps).map(([name, { create_duration, ...rest }]) => [
            name,
            { ...rest, input: create_duration },
          ]),
        ),
      };
      const terraform = doc.terraform as Doc;
      delete (terraform.required_providers as Doc).time;
      delete (doc.provider as Doc).time;
      return JSON.parse(JSON.stringify(doc).replace(/\btime_sleep\./g, "terraform_data.")) as Doc;
    },
    hcl: (text) =>
      text
        .replace(/resource "time_sleep" /g, 'resource "terraform_data" ')
        .replace(/\btime_sleep\./g, "terraform_data.")
        .replace(/^(\s+)create_duration\s*=/gm, "$1input =")
        .replace(/\n\s+time = \{\n[^}]*\}/, "")
        .replace(/\nprovider "time" \{\n\}\n?/, "\n"),
    probe: {
      files: () => ({
        "main.tf": `terraform {\n  required_providers {\n    time = {\n      source  = "hashicorp/time"\n      version = "0.13.1"\n    }\n  }\n}\n`,
      }),
      command: "init",
      missing:
        /not found in any of the search locations|no available releases match|Failed to query available provider packages/,
    },
  },
];
