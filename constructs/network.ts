import { Construct } from "constructs";
import { Fn } from "cdktf";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { assertValid } from "../model/checks";
import { NetworkSettings, resolveNetworkSettings, validateNetworkSettings } from "./network-props";

/** The network's settings (network-props.ts) and the prefix of its names. */
export interface NetworkProps extends NetworkSettings {
  /** Prefix of every name and Name tag. */
  readonly namePrefix: string;
}

/**
 * The VPC: public and private subnets over 2-3 AZs, an internet gateway, route tables, an optional NAT gateway and
 * an optional Secrets Manager endpoint. The VPC's default security group is emptied, so nothing lands in an open
 * group by accident; every other security group belongs to the construct that needs it.
 */
export class Network extends Construct {
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** True for a bring-your-own network (its NAT and endpoints are not known here). */
  readonly isExisting: boolean;
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];
  /** The VPC resource (undefined for a bring-your-own network). */
  readonly vpc?: Vpc;
  readonly natGatewayResource?: NatGateway;
  /** The Secrets Manager interface endpoint, when enabled. */
  readonly secretsManagerEndpointResource?: VpcEndpoint;
  /** Security group of the Secrets Manager endpoint (HTTPS from inside the VPC only). */
  readonly endpointSecurityGroup?: SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const settings = resolveNetworkSettings(props);
    assertValid(validateNetworkSettings(settings));
    const { azCount } = settings;
    const name = (suffix: string) => ({ Name: `${props.namePrefix}-${suffix}` });
    this.isExisting = settings.existing !== undefined;

    if (settings.existing) {
      const e = settings.existing;
      this.vpcId = e.vpcId;
      this.vpcCidr = e.vpcCidr;
      this.publicSubnetIds = [...e.publicSubnetIds];
      this.privateSubnetIds = [...e.privateSubnetIds];
    } else {
      const vpcCidr = settings.vpcCidr;
      const subnetCidrs = splitVpcCidr(vpcCidr, azCount);

      const azs = new DataAwsAvailabilityZones(this, "azs", {
        state: "available",
        filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
      });
      const vpc = new Vpc(this, "vpc", {
        cidrBlock: vpcCidr,
        enableDnsSupport: true,
        enableDnsHostnames: true, // interface endpoints with private DNS need both
        tags: name("vpc"),
      });
      this.vpc = vpc;
      this.vpcId = vpc.id;
      this.vpcCidr = vpcCidr;

      const defaultSecurityGroup = new DefaultSecurityGroup(this, "default-security-group", {
        vpcId: vpc.id,
        tags: name("default-unused"),
      });
      // ingress = [] / egress = [] remove every rule; an omitted block would leave them unmanaged. Raw overrides,
      // because cdktf's HCL output drops an empty typed block list.
      defaultSecurityGroup.addOverride("ingress", []);
      defaultSecurityGroup.addOverride("egress", []);

      const igw = new InternetGateway(this, "igw", { vpcId: vpc.id, tags: name("igw") });
      const publicRt = new RouteTable(this, "public-rt", { vpcId: vpc.id, tags: name("public") });
      new Route(this, "public-default-route", {
        routeTableId: publicRt.id,
        destinationCidrBlock: "0.0.0.0/0",
        gatewayId: igw.id,
      });
      const privateRt = new RouteTable(this, "private-rt", { vpcId: vpc.id, tags: name("private") });

      const publicSubnets: Subnet[] = [];
      const privateSubnets: Subnet[] = [];
      for (let i = 0; i < azCount; i++) {
        const az = Fn.element(azs.names, i);
        const pub = new Subnet(this, `public-${i}`, {
          vpcId: vpc.id,
          cidrBlock: subnetCidrs.public[i],
          availabilityZone: az,
          // Instances get a public address only when they ask for one (associate_public_ip_address).
          mapPublicIpOnLaunch: false,
          tags: { ...name(`public-${i}`), Tier: "public" },
        });
        new RouteTableAssociation(this, `public-${i}-rta`, { subnetId: pub.id, routeTableId: publicRt.id });
        publicSubnets.push(pub);
        const priv = new Subnet(this, `private-${i}`, {
          vpcId: vpc.id,
          cidrBlock: subnetCidrs.private[i],
          availabilityZone: az,
          mapPublicIpOnLaunch: false,
          tags: { ...name(`private-${i}`), Tier: "private" },
        });
        new RouteTableAssociation(this, `private-${i}-rta`, { subnetId: priv.id, routeTableId: privateRt.id });
        privateSubnets.push(priv);
      }
      this.publicSubnetIds = publicSubnets.map((s) => s.id);
      this.privateSubnetIds = privateSubnets.map((s) => s.id);

      if (settings.natGateway) {
        const eip = new Eip(this, "nat-eip", { domain: "vpc", tags: name("nat") });
        this.natGatewayResource = new NatGateway(this, "nat", {
          allocationId: eip.id,
          subnetId: publicSubnets[0].id,
          tags: name("nat"),
          dependsOn: [igw],
        });
        new Route(this, "private-default-route", {
          routeTableId: privateRt.id,
          destinationCidrBlock: "0.0.0.0/0",
          natGatewayId: this.natGatewayResource.id,
        });
      }
    }

    if (settings.secretsManagerEndpoint) {
      this.endpointSecurityGroup = new SecurityGroup(this, "endpoint-sg", {
        name: `${props.namePrefix}-vpc-endpoints`,
        description: "Interface VPC endpoints: HTTPS from inside the VPC only",
        vpcId: this.vpcId,
        tags: name("vpc-endpoints"),
      });
      new VpcSecurityGroupIngressRule(this, "endpoint-https-from-vpc", {
        securityGroupId: this.endpointSecurityGroup.id,
        description: "HTTPS to the AWS service endpoints from resources in this VPC",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: this.vpcCidr,
      });
      this.secretsManagerEndpointResource = new VpcEndpoint(this, "secretsmanager-endpoint", {
        vpcId: this.vpcId,
        serviceName: `com.amazonaws.${new DataAwsRegion(this, "region").region}.secretsmanager`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: this.privateSubnetIds,
        securityGroupIds: [this.endpointSecurityGroup.id],
        tags: name("secretsmanager"),
      });
    }
  }

  /** Subnet ids of a tier. */
  subnetIds(tier: "public" | "private"): string[] {
    return tier === "public" ? this.publicSubnetIds : this.privateSubnetIds;
  }
}

/**
 * Splits a VPC CIDR into one public and one private subnet per AZ: 4 new bits give 16 equal blocks; public subnets
 * take blocks 0..n-1, private subnets blocks 8..8+n-1 (so either tier can grow to 8 AZs without renumbering).
 */
export function splitVpcCidr(vpcCidr: string, azCount: number): { public: string[]; private: string[] } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(vpcCidr);
  if (!m) throw new Error(`vpcCidr must be an IPv4 CIDR such as 10.10.0.0/16, got ${JSON.stringify(vpcCidr)}`);
  const prefix = Number(m[5]);
  if (prefix < 16 || prefix > 24) throw new Error(`vpcCidr prefix must be between /16 and /24, got ${vpcCidr}`);
  const base = m.slice(1, 5).reduce((acc, o) => acc * 256 + Number(o), 0);
  const newPrefix = prefix + 4;
  const size = 2 ** (32 - newPrefix);
  const toCidr = (n: number) => {
    const a = base + n * size;
    return `${Math.floor(a / 16777216) % 256}.${Math.floor(a / 65536) % 256}.${Math.floor(a / 256) % 256}.${a % 256}/${newPrefix}`;
  };
  return {
    public: Array.from({ length: azCount }, (_, i) => toCidr(i)),
    private: Array.from({ length: azCount }, (_, i) => toCidr(8 + i)),
  };
}
