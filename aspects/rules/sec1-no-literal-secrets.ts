import { IConstruct } from "constructs";
import { TerraformElement, Token } from "cdktf";
import { COMPLIANT, NOT_APPLICABLE, PolicyRule, nonCompliant } from "../rule";

/** Attribute names whose value is a secret when it is a literal. */
const SECRET_KEYS =
  /^(password|password_wo|master_password|secret_string|secret_string_wo|secret_binary|secret_key|access_key|private_key|auth_token|token|client_secret)$/;
/** Values that are secrets wherever they appear. */
const SECRET_VALUES: [RegExp, string][] = [
  [/AKIA[0-9A-Z]{16}/, "an AWS access key id"],
  [/-----BEGIN (RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----/, "a private key"],
  [/mysql:\/\/[^:\s/]+:[^@\s]+@/, "a MySQL URL with a password"],
  [/\bIDENTIFIED BY '[^'%]{3,}'/i, "a literal MySQL password"],
];

function scan(value: unknown, path: string, found: string[]): void {
  if (typeof value === "string") {
    if (Token.isUnresolved(value) || value.startsWith("${")) return;
    for (const [re, what] of SECRET_VALUES) if (re.test(value)) found.push(`${path} contains ${what}`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => scan(v, `${path}[${i}]`, found));
    return;
  }
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "//") continue;
      if (
        SECRET_KEYS.test(k) &&
        typeof v === "string" &&
        v.length > 0 &&
        !Token.isUnresolved(v) &&
        !v.startsWith("${")
      ) {
        found.push(`${path}.${k} is a literal value`);
      }
      scan(v, `${path}.${k}`, found);
    }
  }
}

export const SEC1: PolicyRule = {
  id: "SEC1",
  cause: "A literal secret is in the synthesized Terraform.",
  explanation:
    "Secrets live in Secrets Manager (or are generated where they are used): synthesized JSON/HCL is reviewed in pull requests and stored in state. Reference the secret instead.",
  checkov: "CKV_SECRET_2, CKV_SECRET_4, CKV_SECRET_13",
  level: "error",
  evaluate(node: IConstruct) {
    if (!(node instanceof TerraformElement)) return NOT_APPLICABLE;
    const found: string[] = [];
    scan((node as TerraformElement).toTerraform(), node.node.id, found);
    return found.length === 0 ? COMPLIANT : nonCompliant(found.slice(0, 3).join("; "));
  },
};
