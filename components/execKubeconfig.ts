/** Kubeconfigs that authenticate with the caller's own cloud credentials (EKS, GKE). */

export interface ExecKubeconfigArgs {
    /** Name of the cluster, context and user entries. */
    readonly name: string;
    /** API server URL, with scheme. */
    readonly server: string;
    /** Base64 PEM of the cluster CA. */
    readonly certificateAuthorityData: string;
    /** The client-go exec credential plugin. */
    readonly exec: {
        readonly command: string;
        /** Default none. */
        readonly args?: string[];
        /** Default none. */
        readonly installHint?: string;
        /** Default unset (false). */
        readonly provideClusterInfo?: boolean;
    };
}

/**
 * A kubeconfig (JSON, valid YAML) that authenticates through an exec plugin: short-lived tokens
 * from the caller's own cloud credentials, never a static token or client certificate. Callers
 * wrap it in `pulumi.secret`.
 */
export function execKubeconfig(args: ExecKubeconfigArgs): string {
    const name = args.name;
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: args.server, "certificate-authority-data": args.certificateAuthorityData } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
        users: [{
            name,
            user: {
                exec: {
                    apiVersion: "client.authentication.k8s.io/v1beta1",
                    command: args.exec.command,
                    ...(args.exec.args ? { args: args.exec.args } : {}),
                    ...(args.exec.installHint ? { installHint: args.exec.installHint } : {}),
                    ...(args.exec.provideClusterInfo !== undefined ? { provideClusterInfo: args.exec.provideClusterInfo } : {}),
                    interactiveMode: "Never",
                },
            },
        }],
    }, null, 2);
}
