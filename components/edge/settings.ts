/**
 * Zone settings of the edge, by Cloudflare setting id (the `value` is the API's JSON, snake_case).
 * - ssl `strict`: Cloudflare verifies the origin's certificate (cert-manager's Let's Encrypt one)
 *   against public roots and the hostname; "full" would accept any self-signed certificate.
 * - min_tls_version 1.2, always_use_https, HSTS for a year on every subdomain.
 */
export const hstsMaxAgeSeconds = 31_536_000;

export const zoneSettings: Readonly<Record<string, unknown>> = {
    ssl: "strict",
    min_tls_version: "1.2",
    always_use_https: "on",
    // Preload is a one-way door (browsers ship the list); opt in by hand once every subdomain is HTTPS.
    security_header: {
        strict_transport_security: { enabled: true, max_age: hstsMaxAgeSeconds, include_subdomains: true, preload: false, nosniff: true },
    },
};
