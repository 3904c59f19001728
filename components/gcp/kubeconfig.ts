/**
 * A kubeconfig for a GKE cluster that authenticates with gke-gcloud-auth-plugin (the caller's
 * gcloud credentials, short-lived tokens), never a static token or client certificate.
 */
export interface GkeKubeconfigArgs {
    readonly name: string;
    /** Cluster endpoint IP or host (no scheme). */
    readonly endpoint: string;
    /** Base64 PEM of the cluster CA (masterAuth.clusterCaCertificate). */
    readonly caCertificate: string;
}

export function gkeKubeconfig(args: GkeKubeconfigArgs): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: args.name, cluster: { server: `https://${args.endpoint}`, "certificate-authority-data": args.caCertificate } }],
        contexts: [{ name: args.name, context: { cluster: args.name, user: args.name } }],
        "current-context": args.name,
        users: [{
            name: args.name,
            user: {
                exec: {
                    apiVersion: "client.authentication.k8s.io/v1beta1",
                    command: "gke-gcloud-auth-plugin",
                    installHint: "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
                    provideClusterInfo: true,
                    interactiveMode: "Never",
                },
            },
        }],
    }, null, 2);
}
