/**
 * Cloud CDN for static assets: a global external Application Load Balancer whose backend is the
 * assets bucket. The load balancer is global by nature (anycast edge); the bucket, the origin of
 * every byte, stays in India. HTTPS only, with a Google-managed certificate for cdn.<domain> and a
 * MODERN / TLS 1.2+ policy; plain HTTP is redirected.
 */
import * as gcp from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

export interface CloudCdnArgs {
    /** cdn.<domain> */
    readonly hostname: string;
    readonly bucket: gcp.storage.Bucket;
    /** IAM member of the Cloud CDN cache-fill service agent. */
    readonly cdnFillAgent: pulumi.Input<string>;
    readonly provider: gcp.Provider;
    /** The foundation's explicit random provider, for the signed URL key. */
    readonly randomProvider: random.Provider;
}

export class CloudCdn extends pulumi.ComponentResource {
    /** The anycast IPv4 address cdn.<domain> points at. */
    public readonly address: gcp.compute.GlobalAddress;

    constructor(name: string, args: CloudCdnArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:gcp:CloudCdn", name, {}, opts);
        const { provider } = args;
        const childOpts = { parent: this, provider };

        const backend = new gcp.compute.BackendBucket(`${name}-assets`, {
            bucketName: args.bucket.name,
            enableCdn: true,
            compressionMode: "AUTOMATIC",
            cdnPolicy: {
                cacheMode: "CACHE_ALL_STATIC",
                defaultTtl: 3600,
                clientTtl: 3600,
                maxTtl: 86400,
                negativeCaching: true,
                serveWhileStale: 86400,
            },
        }, childOpts);

        // Cloud CDN creates its cache-fill service agent only when the first signed URL key is
        // added to a backend; granting the bucket to it before that fails (the account does not
        // exist). The key is otherwise unused: no URL is signed, assets stay publicly cacheable.
        const keyBytes = new random.RandomBytes(`${name}-signing-key`, { length: 16 }, { parent: this, provider: args.randomProvider });
        const signingKey = new gcp.compute.BackendBucketSignedUrlKey(`${name}-signing-key`, {
            backendBucket: backend.name,
            // A 128-bit key, base64url-encoded as the API expects.
            keyValue: keyBytes.base64.apply(b64 => b64.replace(/\+/g, "-").replace(/\//g, "_")),
        }, { ...childOpts, additionalSecretOutputs: ["keyValue"] });

        // The bucket keeps public access prevention enforced: only Cloud CDN's cache-fill agent may
        // read it ("private bucket access"), so assets are reachable only through the CDN.
        new gcp.storage.BucketIAMMember(`${name}-fill`, {
            bucket: args.bucket.name,
            role: "roles/storage.objectViewer",
            member: args.cdnFillAgent,
        }, { ...childOpts, dependsOn: [signingKey] });

        const urlMap = new gcp.compute.URLMap(`${name}-https`, { defaultService: backend.selfLink }, childOpts);
        const certificate = new gcp.compute.ManagedSslCertificate(`${name}-cert`, {
            managed: { domains: [args.hostname] },
        }, childOpts);
        const sslPolicy = new gcp.compute.SSLPolicy(`${name}-tls`, { profile: "MODERN", minTlsVersion: "TLS_1_2" }, childOpts);
        const httpsProxy = new gcp.compute.TargetHttpsProxy(`${name}-https`, {
            urlMap: urlMap.selfLink,
            sslCertificates: [certificate.selfLink],
            sslPolicy: sslPolicy.selfLink,
        }, childOpts);

        this.address = new gcp.compute.GlobalAddress(`${name}-ip`, { addressType: "EXTERNAL", ipVersion: "IPV4" }, childOpts);
        new gcp.compute.GlobalForwardingRule(`${name}-https`, {
            target: httpsProxy.selfLink,
            ipAddress: this.address.address,
            ipProtocol: "TCP",
            portRange: "443",
            loadBalancingScheme: "EXTERNAL_MANAGED",
        }, childOpts);

        const redirect = new gcp.compute.URLMap(`${name}-http`, {
            defaultUrlRedirect: { httpsRedirect: true, redirectResponseCode: "MOVED_PERMANENTLY_DEFAULT", stripQuery: false },
        }, childOpts);
        const httpProxy = new gcp.compute.TargetHttpProxy(`${name}-http`, { urlMap: redirect.selfLink }, childOpts);
        new gcp.compute.GlobalForwardingRule(`${name}-http`, {
            target: httpProxy.selfLink,
            ipAddress: this.address.address,
            ipProtocol: "TCP",
            portRange: "80",
            loadBalancingScheme: "EXTERNAL_MANAGED",
        }, childOpts);

        this.registerOutputs({ address: this.address.address });
    }
}
