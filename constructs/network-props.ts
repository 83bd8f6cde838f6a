/**
 * The settings of the network: one interface with its defaults and its validator, read by the construct
 * (constructs/network.ts) and by the environment configuration, which holds them under `network` (plus its `mode`
 * switch). Provider-free.
 */
import { Checks } from "../model/checks";

/** An existing VPC to deploy into instead of creating one. */
export interface ExistingNetwork {
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** Subnets with a route to an internet gateway (at least 2 AZs). */
  readonly publicSubnetIds: readonly string[];
  /** Subnets without a public route (at least 2 AZs). RDS and a private DMS instance live here. */
  readonly privateSubnetIds: readonly string[];
}

export interface NetworkSettings {
  /** IPv4 CIDR of the new VPC, /16 to /24; split into equal public and private subnets per AZ. @default "10.10.0.0/16" */
  readonly vpcCidr?: string;
  /** Availability zones to use (2 or 3). @default 2 */
  readonly azCount?: number;
  /**
   * A single NAT gateway (in the first AZ) for the private subnets: ~$32/month plus data. Off by default: the
   * source instance reaches package repositories from a public subnet instead.
   * @default false
   */
  readonly natGateway?: boolean;
  /**
   * An interface VPC endpoint for Secrets Manager in the private subnets, so a private DMS replication instance
   * can read its endpoint secrets without a NAT gateway (DMS 3.4.7+). ~$7.30/month per AZ.
   * @default false
   */
  readonly secretsManagerEndpoint?: boolean;
  /** Use this VPC and its subnets; nothing of the network is created. @default - a new VPC */
  readonly existing?: ExistingNetwork;
}

export type ResolvedNetworkSettings = Required<Omit<NetworkSettings, "existing">> & Pick<NetworkSettings, "existing">;

export const NETWORK_DEFAULTS: ResolvedNetworkSettings = {
  vpcCidr: "10.10.0.0/16",
  azCount: 2,
  natGateway: false,
  secretsManagerEndpoint: false,
};

export function resolveNetworkSettings(s: NetworkSettings): ResolvedNetworkSettings {
  const out: Record<string, unknown> = { ...NETWORK_DEFAULTS };
  for (const [k, v] of Object.entries(s))
    if (v !== undefined && (k in NETWORK_DEFAULTS || k === "existing")) out[k] = v;
  return out as ResolvedNetworkSettings;
}

/** Parses an IPv4 network in CIDR notation; undefined when malformed or when host bits are set (10.0.0.1/16). */
export function parseCidr(cidr: string): { base: number; prefix: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  if ((base & mask) >>> 0 !== base) return undefined;
  return { base, prefix };
}

/** Every problem of resolved network settings, fields named after `prefix` ("network." in the environment config). */
export function validateNetworkSettings(n: ResolvedNetworkSettings, prefix = ""): string[] {
  const c = new Checks(prefix);
  c.int("azCount", n.azCount, 2, 3);
  c.bool("natGateway", n.natGateway);
  c.bool("secretsManagerEndpoint", n.secretsManagerEndpoint);
  const e = n.existing;
  if (!e) {
    const cidr = typeof n.vpcCidr === "string" ? parseCidr(n.vpcCidr) : undefined;
    if (!cidr) c.bad("vpcCidr", "must be an IPv4 network in CIDR notation such as 10.10.0.0/16", n.vpcCidr);
    else if (cidr.prefix < 16 || cidr.prefix > 24)
      c.bad("vpcCidr", "must have a prefix between /16 and /24", n.vpcCidr);
    return c.problems;
  }
  c.matches("existing.vpcId", e.vpcId, /^vpc-[0-9a-f]{8,17}$/, "must be a VPC id (vpc-...)");
  if (typeof e.vpcCidr !== "string" || !parseCidr(e.vpcCidr))
    c.bad("existing.vpcCidr", "must be the VPC's IPv4 CIDR", e.vpcCidr);
  for (const key of ["publicSubnetIds", "privateSubnetIds"] as const) {
    const ids = e[key];
    if (
      !Array.isArray(ids) ||
      ids.length < 2 ||
      ids.some((id) => typeof id !== "string" || !/^subnet-[0-9a-f]{8,17}$/.test(id))
    ) {
      c.bad(`existing.${key}`, "must list at least 2 subnet ids (subnet-...) in different AZs", ids);
    }
  }
  if (n.natGateway === true)
    c.bad("natGateway", "must be false with an existing network (its routes are yours)", n.natGateway);
  return c.problems;
}
