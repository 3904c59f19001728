/**
 * A kubeconfig for a GKE cluster that authenticates with gke-gcloud-auth-plugin (the caller's
 * gcloud credentials, short-lived tokens), never a static token or client certificate.
 */
import { execKubeconfig } from "../execKubeconfig";

export interface GkeKubeconfigArgs {
    readonly name: string;
    /** Cluster endpoint IP or host (no scheme). */
    readonly endpoint: string;
    /** Base64 PEM of the cluster CA (masterAuth.clusterCaCertificate). */
    readonly caCertificate: string;
}

export function gkeKubeconfig(args: GkeKubeconfigArgs): string {
    return execKubeconfig({
        name: args.name,
        server: `https://${args.endpoint}`,
        certificateAuthorityData: args.caCertificate,
        exec: {
            command: "gke-gcloud-auth-plugin",
            installHint: "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
            provideClusterInfo: true,
        },
    });
}
