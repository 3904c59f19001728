/**
 * A CloudFoundation made of plain values, for testing the cloud-agnostic Kubernetes layer and the
 * fleet in isolation. Must be constructed inside a `run()` program (it registers a k8s.Provider).
 * The network members differ by cloud as the real ones do: "gcp" has an identityEgress (the
 * metadata server) and a control-plane range as apiServerPeers; "aws" and "local" need no identity
 * egress and here admit the API server anywhere.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CloudFoundation } from "../components/foundation";
import { cacheSnapshotSubject, IdentityWorkload } from "../components/identities";
import { Environment } from "../stacks/schema";

/** The GKE-like network members of fakeFoundation("gcp"). */
export const fakeGcpNetwork = {
    identityEgress: [{ to: [{ ipBlock: { cidr: "169.254.169.254/32" } }], ports: [{ port: 80, protocol: "TCP" }] }],
    apiServerPeers: [{ ipBlock: { cidr: "172.16.0.0/28" } }],
};

/**
 * The aws fake also has a scheduled cloud job (ElastiCache's hourly snapshots) for `environment`'s
 * app namespace, as the real AWS foundation does.
 */
export function fakeFoundation(cloud: "aws" | "gcp" | "local" = "aws", environment: Environment = "production"): CloudFoundation {
    const k8sProvider = new k8s.Provider("fake-k8s", { kubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n") });
    const out = pulumi.output;
    const dataPeers = [{ ipBlock: { cidr: "10.10.96.0/24" } }, { ipBlock: { cidr: "10.10.97.0/24" } }, { ipBlock: { cidr: "10.10.98.0/24" } }];
    return {
        cloud,
        k8sProvider,
        clusterName: out("bookkeep-test"),
        kubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n"),
        postgres: {
            host: out("db.internal"), port: 5432, database: "bookkeep", username: "bookkeep",
            password: pulumi.secret("pw"), url: pulumi.secret("postgres://bookkeep:pw@db.internal:5432/bookkeep?sslmode=require"),
            networkPeers: dataPeers,
        },
        redis: {
            host: out("cache.internal"), port: 6379, tls: true,
            url: pulumi.secret("rediss://:token@cache.internal:6379"), networkPeers: dataPeers,
        },
        objectStore: {
            documentsBucket: out("bookkeep-test-documents"),
            backupsBucket: out("bookkeep-test-backups"),
            uploaderImage: "amazon/aws-cli:2.22.35",
            uploadCommand: (localPath: string, key: string) => out(`aws s3 cp ${localPath} s3://bookkeep-test-backups/${key}`),
            uploaderEnv: [{ name: "AWS_REGION", value: "ap-south-1" }],
            networkPeers: [{ ipBlock: { cidr: "0.0.0.0/0" } }],
            uploaderPorts: [443],
        },
        ...(cloud === "aws" ? {
            cacheSnapshots: {
                subject: cacheSnapshotSubject(environment),
                schedule: "0 * * * *",
                image: "amazon/aws-cli:2.22.35",
                script: out("aws elasticache create-snapshot --cache-cluster-id \"$SOURCE\" --snapshot-name hourly"),
                env: [{ name: "SOURCE", value: "bookkeep-test-redis-002" }],
                serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/redis-snapshot" },
                identityGrants: [],
                networkPeers: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.10.0.0/16"] } }],
                ports: [443],
            },
        } : {}),
        jwtSecret: pulumi.secret("jwt"),
        certificateIssuer: { name: "letsencrypt-prod", spec: { acme: { server: "https://acme-v02.api.letsencrypt.org/directory" } } },
        storageClass: "gp3-encrypted",
        ingressService: { type: "LoadBalancer", annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" } },
        ...(cloud === "gcp" ? fakeGcpNetwork : { identityEgress: [], apiServerPeers: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }),
        serviceAccountAnnotations: (workload: IdentityWorkload) => ({ "eks.amazonaws.com/role-arn": `arn:aws:iam::123456789012:role/${workload}` }),
        identityGrants: () => [],
        outputs: {
            clusterName: out("bookkeep-test"), kubeconfig: pulumi.secret("kubeconfig"), postgresHost: out("db.internal"),
            redisHost: out("cache.internal"), documentsBucket: out("bookkeep-test-documents"), backupsBucket: out("bookkeep-test-backups"),
            apiHostname: out("api.bookkeep.app"), cdnHostname: out("cdn.bookkeep.app"), nameServers: out(["ns-1.example"]),
        },
    };
}
