/**
 * Normalizes the three ways Terraform writes a security group rule (inline blocks of aws_security_group,
 * aws_vpc_security_group_ingress_rule / _egress_rule, aws_security_group_rule) into one shape for the SG rules.
 */
import { IConstruct } from "constructs";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { blocks } from "./rule";

export interface NormalizedRule {
  readonly direction: "ingress" | "egress";
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly protocol?: string;
  readonly cidrs: string[];
  readonly fromSecurityGroup: boolean;
  readonly fromPrefixList: boolean;
  readonly description?: string;
}

/** The rules a construct declares, or undefined when it is not a security group (rule). */
export function securityGroupRules(node: IConstruct): NormalizedRule[] | undefined {
  if (node instanceof VpcSecurityGroupIngressRule || node instanceof VpcSecurityGroupEgressRule) {
    return [
      {
        direction: node instanceof VpcSecurityGroupIngressRule ? "ingress" : "egress",
        fromPort: node.fromPortInput,
        toPort: node.toPortInput,
        protocol: node.ipProtocolInput,
        cidrs: [node.cidrIpv4Input, node.cidrIpv6Input].filter((c): c is string => typeof c === "string"),
        fromSecurityGroup: node.referencedSecurityGroupIdInput !== undefined,
        fromPrefixList: node.prefixListIdInput !== undefined,
        description: node.descriptionInput,
      },
    ];
  }
  if (node instanceof SecurityGroupRule) {
    return [
      {
        direction: node.typeInput === "egress" ? "egress" : "ingress",
        fromPort: node.fromPortInput,
        toPort: node.toPortInput,
        protocol: node.protocolInput,
        cidrs: [...blocks<string>(node.cidrBlocksInput), ...blocks<string>(node.ipv6CidrBlocksInput)],
        fromSecurityGroup: node.sourceSecurityGroupIdInput !== undefined || node.selfAttributeInput === true,
        fromPrefixList: blocks(node.prefixListIdsInput).length > 0,
        description: node.descriptionInput,
      },
    ];
  }
  if (node instanceof SecurityGroup) {
    type Inline = {
      fromPort?: number;
      toPort?: number;
      protocol?: string;
      cidrBlocks?: string[];
      ipv6CidrBlocks?: string[];
      securityGroups?: string[];
      prefixListIds?: string[];
      self?: boolean;
      description?: string;
    };
    const norm =
      (direction: "ingress" | "egress") =>
      (r: Inline): NormalizedRule => ({
        direction,
        fromPort: r.fromPort,
        toPort: r.toPort,
        protocol: r.protocol,
        cidrs: [...(r.cidrBlocks ?? []), ...(r.ipv6CidrBlocks ?? [])],
        fromSecurityGroup: (r.securityGroups ?? []).length > 0 || r.self === true,
        fromPrefixList: (r.prefixListIds ?? []).length > 0,
        description: r.description,
      });
    return [
      ...blocks<Inline>(node.ingressInput).map(norm("ingress")),
      ...blocks<Inline>(node.egressInput).map(norm("egress")),
    ];
  }
  return undefined;
}

/** Does the rule's port range include `port` (protocol tcp or all)? */
export function coversPort(r: NormalizedRule, port: number): boolean {
  const all = r.protocol === "-1" || r.protocol === "all";
  if (!all && r.protocol !== "tcp" && r.protocol !== "6") return false;
  if (all && r.fromPort === undefined) return true;
  const from = r.fromPort ?? 0;
  const to = r.toPort ?? 65535;
  return (from <= port && port <= to) || (all && from === 0 && to === 0) || (from === -1 && to === -1);
}

export const WORLD = ["0.0.0.0/0", "::/0"];
