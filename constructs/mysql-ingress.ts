import { Construct } from "constructs";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { MYSQL_PORT } from "../model/names";

/**
 * MySQL from one named security group into another, with a description that says who connects and why.
 * The rule's id names the construct that owns the peer group ("mysql-from-dms"): stable, readable addresses.
 */
export function allowMysqlIngress(
  scope: Construct,
  securityGroupId: string,
  peer: SecurityGroup,
  description: string,
  port = MYSQL_PORT,
): VpcSecurityGroupIngressRule {
  if (description.trim().length < 10)
    throw new Error(`description must say who connects and why, got ${JSON.stringify(description)}`);
  const owner = peer.node.scope?.node.id ?? peer.node.id;
  return new VpcSecurityGroupIngressRule(scope, `mysql-from-${owner}`, {
    securityGroupId,
    referencedSecurityGroupId: peer.id,
    ipProtocol: "tcp",
    fromPort: port,
    toPort: port,
    description,
  });
}
