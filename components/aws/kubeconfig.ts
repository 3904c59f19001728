/**
 * Kubeconfig for an EKS cluster that authenticates with `aws eks get-token`: no long-lived token
 * is written anywhere; whoever runs Pulumi needs AWS credentials with an EKS access entry.
 */

export interface EksKubeconfigArgs {
    readonly clusterName: string;
    readonly endpoint: string;
    /** Base64 cluster CA bundle (`certificateAuthority.data`). */
    readonly certificateAuthorityData: string;
    readonly region: string;
}

/** The kubeconfig as JSON (valid YAML); callers wrap it in `pulumi.secret`. */
export function eksKubeconfig(args: EksKubeconfigArgs): string {
    const name = args.clusterName;
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: args.endpoint, "certificate-authority-data": args.certificateAuthorityData } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
        users: [{
            name,
            user: {
                exec: {
                    apiVersion: "client.authentication.k8s.io/v1beta1",
                    command: "aws",
                    args: ["eks", "get-token", "--cluster-name", name, "--region", args.region, "--output", "json"],
                },
            },
        }],
    });
}
