import { IConstruct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { COMPLIANT, NOT_APPLICABLE, PolicyRule, blocks, literal, nonCompliant } from "../rule";

interface Statement {
  effect?: string;
  actions: string[];
  resources: string[];
  principals?: unknown[];
}

const wildcard = (xs: string[]) => xs.includes("*");

function fromJson(text: string | undefined): Statement[] | undefined {
  if (!text) return undefined;
  try {
    const doc = JSON.parse(text) as { Statement?: unknown };
    return blocks<{ Effect?: string; Action?: string | string[]; Resource?: string | string[] }>(doc.Statement).map(
      (s) => ({
        effect: s.Effect,
        actions: ([] as string[]).concat(s.Action ?? []),
        resources: ([] as string[]).concat(s.Resource ?? []),
      }),
    );
  } catch {
    return undefined;
  }
}

export const IAM1: PolicyRule = {
  id: "IAM1",
  cause: 'An IAM policy allows Action "*" on Resource "*".',
  explanation:
    "Grant the actions and resources the role needs (least privilege). Resource policies (KMS key policies, which name no resource but themselves) are not IAM policies and are not checked.",
  checkov: "CKV_AWS_1, CKV_AWS_62",
  level: "error",
  evaluate(node: IConstruct) {
    let statements: Statement[] | undefined;
    if (node instanceof DataAwsIamPolicyDocument) {
      statements = blocks<{ effect?: string; actions?: string[]; resources?: string[]; principals?: unknown[] }>(
        node.statementInput,
      ).map((s) => ({
        effect: s.effect,
        actions: s.actions ?? [],
        resources: s.resources ?? [],
        principals: s.principals,
      }));
      // A document with principals is a resource or trust policy: Resource "*" there means "this resource".
      statements = statements.filter((s) => !s.principals || s.principals.length === 0);
    } else if (node instanceof IamRolePolicy || node instanceof IamPolicy) {
      statements = fromJson(literal(node.policyInput));
    } else {
      return NOT_APPLICABLE;
    }
    if (!statements) return NOT_APPLICABLE;
    const admin = statements.filter(
      (s) => (s.effect ?? "Allow") === "Allow" && wildcard(s.actions) && wildcard(s.resources),
    );
    return admin.length === 0 ? COMPLIANT : nonCompliant(`${admin.length} statement(s) allow * on *`);
  },
};
