/**
 * Private certificate authorities for traffic inside the platform (NATS routes, Elasticsearch),
 * kept by cert-manager: a self-signed root, an issuer signing with it, and the certificates it
 * issues. Keys never leave the cluster; cert-manager renews everything on its own.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";

/** Issued certificates: 90 days, renewed 30 days ahead, a new key each time. */
const leafValidity = { duration: "2160h", renewBefore: "720h", privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" } };
/**
 * The root: 5 years, renewed a year ahead with the same key, so certificates issued before a
 * renewal keep verifying against the renewed root while they are reissued.
 */
const rootValidity = { duration: "43800h", renewBefore: "8760h", privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Never" } };

export interface PrivateCaArgs {
    /** `Issuer` when every certificate lives in the CA's namespace, `ClusterIssuer` when clients are spread over several. */
    readonly kind: "Issuer" | "ClusterIssuer";
    /** Names the issuers (`<issuerName>-selfsigned`, `<issuerName>`) and the root's Secret (`<rootSecret>`). */
    readonly issuerName: string;
    readonly rootSecret: string;
    readonly commonName: string;
    /**
     * Where the root's key lives: the issuers' namespace for an Issuer, cert-manager's own for a
     * ClusterIssuer (its cluster resource namespace).
     */
    readonly namespace: pulumi.Input<string>;
    readonly labels: Record<string, string>;
    /** cert-manager (its CRDs and webhook). */
    readonly certManager: pulumi.Resource;
}

export class PrivateCa {
    private readonly issuer: k8s.apiextensions.CustomResource;

    constructor(private readonly name: string, private readonly args: PrivateCaArgs, private readonly parent: pulumi.Resource) {
        const namespaced = args.kind === "Issuer" ? { namespace: args.namespace } : {};
        const selfSignedName = `${args.issuerName}-selfsigned`;
        const selfSigned = this.resource("selfsigned-issuer", args.kind, { name: selfSignedName, ...namespaced }, { selfSigned: {} }, [args.certManager]);
        const root = this.resource("ca", "Certificate", { name: args.rootSecret, namespace: args.namespace }, {
            isCA: true,
            commonName: args.commonName,
            secretName: args.rootSecret,
            ...rootValidity,
            issuerRef: { name: selfSignedName, kind: args.kind },
        }, [selfSigned]);
        this.issuer = this.resource("ca-issuer", args.kind, { name: args.issuerName, ...namespaced }, { ca: { secretName: args.rootSecret } }, [root]);
    }

    /**
     * A certificate from this CA, kept in Secret `secretName` (tls.crt, tls.key, ca.crt) in
     * `namespace`. `spec` adds names and usages.
     */
    certificate(suffix: string, secretName: string, namespace: pulumi.Input<string>, spec: Record<string, unknown>): k8s.apiextensions.CustomResource {
        return this.resource(suffix, "Certificate", { name: secretName, namespace }, {
            secretName,
            ...leafValidity,
            issuerRef: { name: this.args.issuerName, kind: this.args.kind },
            ...spec,
        }, [this.issuer]);
    }

    private resource(suffix: string, kind: string, metadata: Record<string, unknown>, spec: Record<string, unknown>, dependsOn: pulumi.Resource[]): k8s.apiextensions.CustomResource {
        return new k8s.apiextensions.CustomResource(`${this.name}-${suffix}`, {
            apiVersion: "cert-manager.io/v1", kind, metadata: { ...metadata, labels: this.args.labels }, spec,
        }, { parent: this.parent, dependsOn });
    }
}
