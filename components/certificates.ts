/** The Let's Encrypt ClusterIssuer every cloud hands cert-manager, and the CAA records that go with it. */
import * as pulumi from "@pulumi/pulumi";
import { CertificateIssuer } from "./foundation";

export const letsEncryptProduction = "https://acme-v02.api.letsencrypt.org/directory";
export const letsEncryptIssuerName = "letsencrypt-prod";

/**
 * The cert-manager ClusterIssuer for Let's Encrypt production, solving DNS-01 in `domain`'s zone
 * with the cloud's `solver` (the `dns01` block: `route53`, `cloudDNS`, ...).
 */
export function acmeDns01Issuer(email: string, domain: string, solver: pulumi.Input<Record<string, unknown>>): CertificateIssuer {
    return {
        name: letsEncryptIssuerName,
        spec: pulumi.output(solver).apply(dns01 => ({
            acme: {
                server: letsEncryptProduction,
                email,
                privateKeySecretRef: { name: `${letsEncryptIssuerName}-account-key` },
                solvers: [{ selector: { dnsZones: [domain] }, dns01 }],
            },
        })),
    };
}

/**
 * CAA record values allowing exactly `issuers` to issue certificates, single names and wildcards
 * alike; CAA on the apex covers every name below it.
 */
export function caaRecords(issuers: readonly string[]): string[] {
    return [...issuers.map(ca => `0 issue "${ca}"`), ...issuers.map(ca => `0 issuewild "${ca}"`)];
}
