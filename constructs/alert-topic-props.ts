/**
 * The settings of the alert topic: its defaults and validator, read by the construct (constructs/alert-topic.ts) and
 * by the environment configuration (`monitoring.alertTopicName`, `alertTopicEncryption`, `alertEmails`,
 * `alertHttpsEndpoints`). Provider-free.
 */
import { Checks } from "../model/checks";

/**
 * What an alert e-mail address must look like, written so that JavaScript and Terraform's regex (RE2) read it the
 * same way (no escapes: `[.]` for a dot): checked on the settings at synth and in the variable's validation at plan.
 */
export const ALERT_EMAIL_PATTERN =
  "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?([.][A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$";
/** An HTTPS endpoint: https://, a host without user info, an optional path (the same in JavaScript and RE2). */
export const HTTPS_ENDPOINT_PATTERN = "^https://[^/@[:space:]]+(/[^[:space:]]*)?$";
/** A query parameter that carries a credential (token, key, signature, ...): refused in settings and variable alike. */
export const CREDENTIAL_PARAMETER = "[?&](token|key|secret|sig|signature|password)=";

export interface AlertTopicSettings {
  /** SNS topic name. @default "DMSAlertTopic" */
  readonly topicName?: string;
  /**
   * `cmk`: encrypted with a customer-managed KMS key ($1/month) whose policy lets CloudWatch and DMS publish.
   * `none`: unencrypted (free). Never the AWS managed `alias/aws/sns` key: alarms cannot publish to it.
   * @default "cmk"
   */
  readonly encryption?: "cmk" | "none";
  /**
   * E-mail addresses subscribed (each must confirm): the default of the stack's `alert_emails` Terraform variable,
   * which a plan can override without a new synth.
   * @default - none, with a synth warning
   */
  readonly emails?: readonly string[];
  /**
   * HTTPS endpoints subscribed (webhooks, chat integrations): the default of the `alert_https_endpoints` variable.
   * No credentials in the URL (user info or a token parameter): synthesized Terraform is reviewed in pull requests.
   * @default - none
   */
  readonly httpsEndpoints?: readonly string[];
}

export type ResolvedAlertTopicSettings = Required<AlertTopicSettings>;

export const ALERT_TOPIC_DEFAULTS: ResolvedAlertTopicSettings = {
  topicName: "DMSAlertTopic",
  encryption: "cmk",
  emails: [],
  httpsEndpoints: [],
};

export function resolveAlertTopicSettings(s: AlertTopicSettings): ResolvedAlertTopicSettings {
  const out: Record<string, unknown> = { ...ALERT_TOPIC_DEFAULTS };
  for (const [k, v] of Object.entries(s)) if (v !== undefined && k in ALERT_TOPIC_DEFAULTS) out[k] = v;
  return out as ResolvedAlertTopicSettings;
}

/** The names of the fields, as the caller calls them (the environment config says `alertTopicName`, ...). */
export interface AlertTopicFieldNames {
  readonly topicName: string;
  readonly encryption: string;
  readonly emails: string;
  readonly httpsEndpoints: string;
}

const OWN_NAMES: AlertTopicFieldNames = {
  topicName: "topicName",
  encryption: "encryption",
  emails: "emails",
  httpsEndpoints: "httpsEndpoints",
};

/** Every problem of resolved alert topic settings; a URL with a credential is shown without its query. */
export function validateAlertTopicSettings(
  s: ResolvedAlertTopicSettings,
  prefix = "",
  names: AlertTopicFieldNames = OWN_NAMES,
): string[] {
  const c = new Checks(prefix);
  c.matches(
    names.topicName,
    s.topicName,
    /^[A-Za-z0-9_-]{1,256}$/,
    "must be 1-256 letters, digits, hyphens or underscores",
  );
  c.oneOf(names.encryption, s.encryption, ["cmk", "none"]);
  if (!Array.isArray(s.emails)) c.bad(names.emails, "must be a list of e-mail addresses", s.emails);
  else
    s.emails.forEach((e, i) =>
      c.matches(`${names.emails}[${i}]`, e, new RegExp(ALERT_EMAIL_PATTERN), "must be an e-mail address"),
    );
  if (!Array.isArray(s.httpsEndpoints))
    c.bad(names.httpsEndpoints, "must be a list of https:// URLs", s.httpsEndpoints);
  else
    s.httpsEndpoints.forEach((u, i) => {
      const field = `${names.httpsEndpoints}[${i}]`;
      const shown = typeof u === "string" ? u.replace(/\?.*$/, "?...") : u;
      if (typeof u !== "string" || !/^https:\/\/\S+$/.test(u)) c.bad(field, "must be an https:// URL", shown);
      else if (/^https:\/\/[^/]*@/.test(u) || new RegExp(CREDENTIAL_PARAMETER, "i").test(u)) {
        c.bad(field, "must not embed a credential (user info or a token parameter)", shown);
      } else if (!/^https:\/\/[^/@\s]+(\/\S*)?$/.test(u)) c.bad(field, "must be an https:// URL", shown); // HTTPS_ENDPOINT_PATTERN in JavaScript
    });
  return c.problems;
}
