/**
 * Kubeconfig for an EKS cluster that authenticates with `aws eks get-token`: no long-lived token
 * is written anywhere; whoever runs Pulumi needs AWS credentials with an EKS access entry.
 */
import { execKubeconfig } from "../execKubeconfig";

export interface EksKubeconfigArgs {
    readonly clusterName: string;
    readonly endpoint: string;
    /** Base64 cluster CA bundle (`certificateAuthority.data`). */
    readonly certificateAuthorityData: string;
    readonly region: string;
}

/** The kubeconfig as JSON (valid YAML); callers wrap it in `pulumi.secret`. */
export function eksKubeconfig(args: EksKubeconfigArgs): string {
    return execKubeconfig({
        name: args.clusterName,
        server: args.endpoint,
        certificateAuthorityData: args.certificateAuthorityData,
        exec: {
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", args.clusterName, "--region", args.region, "--output", "json"],
            installHint: "Install the AWS CLI v2: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html",
        },
    });
}
