/**
 * Kibana for people, run by the ECK operator against the log store, at `kibana.<domain>` through
 * the API gateway's wildcard listener (TLS with the wildcard certificate, the gateway's rate and
 * size limits). Authentication is Elasticsearch's native realm: people sign in as Elasticsearch
 * users (the `elastic` superuser from `elasticsearch-es-elastic-user` until SSO exists).
 *
 * The hop from the gateway's proxies to Kibana is plain HTTP, as it is to the fleet's services:
 * Kibana's own TLS would be ECK's self-signed CA, which the proxies could only trust through a
 * BackendTLSPolicy with that CA in a ConfigMap, and nothing here keeps such a ConfigMap current
 * (no trust-manager). Instead Kibana admits connections from the proxies alone (NetworkPolicy).
 *
 * The gateway admits routes from the app namespace only, so the HTTPRoute lives there and a
 * ReferenceGrant in the monitoring namespace lets it name Kibana's Service, and nothing else.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../../stacks/schema";
import { platformPeers, wellKnown } from "../naming";
import { elasticsearchCluster, elasticsearchPods, elasticsearchVersion } from "./elasticsearch";
import { listeners } from "./gateway";
import { PlatformNamespaces } from "./namespaces";
import { inNamespace, networkPolicy, tcp } from "./networkPolicies";
import { resources, restrictedContainer, restrictedPod } from "./security";

/** The Kibana resource's name; ECK names its Service `<name>-kb-http`. */
export const kibanaName = "kibana";
export const kibanaService = `${kibanaName}-kb-http`;
export const kibanaPort = 5601;
/** Labels ECK puts on Kibana's pods. */
export const kibanaPods: Readonly<Record<string, string>> = { "kibana.k8s.elastic.co/name": kibanaName };

export interface KibanaArgs {
    readonly environment: Environment;
    readonly namespaces: PlatformNamespaces;
    /** The stack's domain: Kibana answers at kibana.<domain>. */
    readonly domain: string;
    /** The ECK operator and CRDs, and the gateway's chart (the HTTPRoute and ReferenceGrant CRDs). */
    readonly dependsOn: pulumi.Resource[];
}

export class Kibana extends pulumi.ComponentResource {
    public readonly host: string;

    constructor(name: string, args: KibanaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:Kibana", name, {}, opts);
        const { environment, namespaces } = args;
        const production = environment === "production";
        const peers = platformPeers(environment);
        const mon = namespaces.names.monitoring;
        const labels = { "app.kubernetes.io/part-of": "bookkeep", "app.kubernetes.io/component": "logging" };
        this.host = `kibana.${args.domain}`;

        const kibana = new k8s.apiextensions.CustomResource(`${name}-kibana`, {
            apiVersion: "kibana.k8s.elastic.co/v1",
            kind: "Kibana",
            metadata: { name: kibanaName, namespace: namespaces.monitoring, labels },
            spec: {
                version: elasticsearchVersion,
                count: production ? 2 : 1,
                elasticsearchRef: { name: elasticsearchCluster },
                http: { tls: { selfSignedCertificate: { disabled: true } } },
                config: {
                    "server.publicBaseUrl": `https://${this.host}`,
                    "telemetry.optIn": false,
                    "telemetry.allowChangingOptInStatus": false,
                },
                podTemplate: {
                    spec: {
                        automountServiceAccountToken: false,
                        securityContext: restrictedPod(1000),
                        containers: [{
                            name: "kibana",
                            image: `docker.elastic.co/kibana/kibana:${elasticsearchVersion}`,
                            readinessProbe: { httpGet: { path: "/login", port: kibanaPort }, periodSeconds: 10, failureThreshold: 3 },
                            livenessProbe: { tcpSocket: { port: kibanaPort }, initialDelaySeconds: 120, periodSeconds: 30, failureThreshold: 10 },
                            resources: production
                                ? resources({ cpu: "200m", memory: "1Gi" }, { cpu: "1", memory: "1Gi" })
                                : resources({ cpu: "100m", memory: "768Mi" }, { cpu: "1", memory: "768Mi" }),
                            securityContext: { ...restrictedContainer(), runAsUser: 1000 },
                            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                        }],
                        volumes: [{ name: "tmp", emptyDir: {} }],
                    },
                },
            },
        }, { parent: this, dependsOn: args.dependsOn });

        new k8s.apiextensions.CustomResource(`${name}-reference-grant`, {
            apiVersion: "gateway.networking.k8s.io/v1beta1",
            kind: "ReferenceGrant",
            metadata: { name: "kibana-from-app-routes", namespace: namespaces.monitoring, labels },
            spec: {
                from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: namespaces.names.app }],
                to: [{ group: "", kind: "Service", name: kibanaService }],
            },
        }, { parent: this, dependsOn: args.dependsOn });
        new k8s.apiextensions.CustomResource(`${name}-route`, {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "HTTPRoute",
            metadata: { name: "kibana", namespace: namespaces.names.app, labels },
            spec: {
                parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: wellKnown.gatewayName, namespace: namespaces.names.system, sectionName: listeners.wildcard }],
                hostnames: [this.host],
                rules: [{ backendRefs: [{ name: kibanaService, namespace: mon, port: kibanaPort }] }],
            },
        }, { parent: this, dependsOn: [...args.dependsOn, kibana] });

        networkPolicy(`${name}-netpol`, "kibana", namespaces.monitoring, {
            podSelector: { matchLabels: kibanaPods },
            ingress: [{ from: [peers.gatewayProxy], ports: tcp(kibanaPort) }],
            egress: [{ to: [{ podSelector: { matchLabels: elasticsearchPods } }], ports: tcp(9200) }],
        }, { parent: this });
        // Added to the proxies' own policy (gateway.ts): NetworkPolicies add up.
        networkPolicy(`${name}-proxy-netpol`, "envoy-gateway-proxy-kibana", namespaces.system, {
            podSelector: peers.gatewayProxy.podSelector,
            egress: [{ to: [inNamespace(mon, kibanaPods)], ports: tcp(kibanaPort) }],
        }, { parent: this });
        this.registerOutputs({ host: this.host });
    }
}
