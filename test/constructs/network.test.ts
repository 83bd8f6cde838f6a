import { Testing } from "cdktf";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Network, splitVpcCidr } from "../../constructs/network";
import { only, resources, synthJson } from "../helpers";

describe("Network", () => {
  test("creates a VPC with public and private subnets in 2 AZs, an internet gateway and no NAT by default", () => {
    // GIVEN defaults WHEN synthesized
    const synth = Testing.synthScope((s) => new Network(s, "network", { namePrefix: "t" }));
    const json = JSON.parse(synth);
    // THEN
    expect(synth).toHaveResourceWithProperties(Vpc, { cidr_block: "10.10.0.0/16", enable_dns_hostnames: true });
    expect(synth).toHaveResourceWithProperties(Subnet, { cidr_block: "10.10.0.0/20", map_public_ip_on_launch: false });
    const subnets = resources(json, "aws_subnet");
    expect(subnets.map((s) => s.cidr_block).sort()).toEqual([
      "10.10.0.0/20",
      "10.10.128.0/20",
      "10.10.144.0/20",
      "10.10.16.0/20",
    ]);
    expect(subnets.filter((s) => (s.tags as Record<string, string>).Tier === "private")).toHaveLength(2);
    expect(resources(json, "aws_internet_gateway")).toHaveLength(1);
    expect(resources(json, "aws_nat_gateway")).toHaveLength(0);
    expect(resources(json, "aws_vpc_endpoint")).toHaveLength(0);
    // the only 0.0.0.0/0 route is the public one, through the internet gateway
    const routes = resources(json, "aws_route");
    expect(routes).toHaveLength(1);
    expect(routes[0].gateway_id).toMatch(/aws_internet_gateway/);
  });

  test("empties the VPC's default security group", () => {
    const json = synthJson((s) => new Network(s, "network", { namePrefix: "t" }));
    expect(only(json, "aws_default_security_group")).toMatchObject({ ingress: [], egress: [] });
  });

  test("spreads 3 AZs and adds a NAT gateway route for private subnets when asked", () => {
    const json = synthJson((s) => new Network(s, "network", { namePrefix: "t", azCount: 3, natGateway: true }));
    expect(resources(json, "aws_subnet")).toHaveLength(6);
    expect(only(json, "aws_nat_gateway")).toMatchObject({ subnet_id: expect.stringMatching(/public-0/) });
    expect(resources(json, "aws_route").some((r) => String(r.nat_gateway_id).includes("aws_nat_gateway"))).toBe(true);
  });

  test("adds a Secrets Manager interface endpoint reachable on 443 from the VPC only", () => {
    const json = synthJson((s) => new Network(s, "network", { namePrefix: "t", secretsManagerEndpoint: true }));
    const ep = only(json, "aws_vpc_endpoint");
    expect(ep).toMatchObject({ vpc_endpoint_type: "Interface", private_dns_enabled: true });
    expect(ep.service_name).toMatch(/^com\.amazonaws\.\$\{data\.aws_region\.[^}]+\.region\}\.secretsmanager$/);
    const rule = only(json, "aws_vpc_security_group_ingress_rule");
    expect(rule).toMatchObject({ from_port: 443, to_port: 443, cidr_ipv4: "10.10.0.0/16", ip_protocol: "tcp" });
    expect(String(rule.description).length).toBeGreaterThan(10);
  });

  test("uses an existing VPC and creates no network resources", () => {
    const json = synthJson((s) => {
      const n = new Network(s, "network", {
        namePrefix: "t",
        existing: {
          vpcId: "vpc-0123456789abcdef0",
          vpcCidr: "172.31.0.0/16",
          publicSubnetIds: ["subnet-aaaaaaaa", "subnet-bbbbbbbb"],
          privateSubnetIds: ["subnet-cccccccc", "subnet-dddddddd"],
        },
      });
      expect(n.privateSubnetIds).toEqual(["subnet-cccccccc", "subnet-dddddddd"]);
    });
    expect(json.resource ?? {}).toEqual({});
  });

  test("throws when an existing network has fewer than 2 private subnets", () => {
    expect(() =>
      synthJson(
        (s) =>
          new Network(s, "network", {
            namePrefix: "t",
            existing: {
              vpcId: "vpc-01234567",
              vpcCidr: "10.0.0.0/16",
              publicSubnetIds: ["subnet-0aaaaaaa", "subnet-0bbbbbbb"],
              privateSubnetIds: ["subnet-0ccccccc"],
            },
          }),
      ),
    ).toThrow(
      /^existing\.privateSubnetIds must list at least 2 subnet ids \(subnet-\.\.\.\) in different AZs, got \["subnet-0ccccccc"\]$/,
    );
  });

  test("throws on an AZ count of 4", () => {
    expect(() => synthJson((s) => new Network(s, "network", { namePrefix: "t", azCount: 4 }))).toThrow(
      /azCount must be an integer between 2 and 3, got 4/,
    );
  });

  test("splitVpcCidr carves /24 VPCs into /28 subnets and rejects a /12", () => {
    expect(splitVpcCidr("192.168.5.0/24", 2)).toEqual({
      public: ["192.168.5.0/28", "192.168.5.16/28"],
      private: ["192.168.5.128/28", "192.168.5.144/28"],
    });
    expect(() => splitVpcCidr("10.0.0.0/12", 2)).toThrow(/between \/16 and \/24, got 10.0.0.0\/12/);
  });
});
