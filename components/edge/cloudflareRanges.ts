/**
 * Cloudflare's published edge address ranges, pinned: the only sources the origin load balancer
 * admits when the edge is on. Source https://www.cloudflare.com/ips/ (ips-v4, ips-v6), as published
 * on 2026-02-11 and unchanged since 2023-10; Cloudflare announces changes ahead (the page and
 * https://api.cloudflare.com/client/v4/ips). Re-check before each release: a range Cloudflare adds
 * and this list lacks is a slice of real traffic the origin drops.
 *
 * Pure data (no SDK import): the policy pack reads it too.
 */
export const cloudflareRangesAsOf = "2026-02-11";
export const cloudflareRangesSource = "https://www.cloudflare.com/ips/";

export const cloudflareIpv4Ranges: readonly string[] = [
    "173.245.48.0/20",
    "103.21.244.0/22",
    "103.22.200.0/22",
    "103.31.4.0/22",
    "141.101.64.0/18",
    "108.162.192.0/18",
    "190.93.240.0/20",
    "188.114.96.0/20",
    "197.234.240.0/22",
    "198.41.128.0/17",
    "162.158.0.0/15",
    "104.16.0.0/13",
    "104.24.0.0/14",
    "172.64.0.0/13",
    "131.0.72.0/22",
];

export const cloudflareIpv6Ranges: readonly string[] = [
    "2400:cb00::/32",
    "2606:4700::/32",
    "2803:f800::/32",
    "2405:b500::/32",
    "2405:8100::/32",
    "2a06:98c0::/29",
    "2c0f:f248::/32",
];

/**
 * What the origin load balancer admits. IPv4 only: the origin has IPv4 addresses only (Elastic IPs,
 * a regional GCP address) and the edge's records are A records, so Cloudflare reaches it over IPv4;
 * the v6 ranges would spend security-group rules (AWS: 60 inbound per group by default, 2 per range
 * for ports 80 and 443) on traffic that cannot arrive.
 */
export const originSourceRanges: readonly string[] = cloudflareIpv4Ranges;
