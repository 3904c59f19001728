/** What fake GCP resources report back: the computed outputs the program reads. */
import { CloudMocks, OutputsFn } from "./types";

export const gcpProjectNumber = "123456789012";
const fakeProject = "fake-project";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- registration inputs are untyped provider JSON, read by path
type Inputs = Record<string, any>;
const projectOf = (inputs: Inputs): string => inputs.project ?? fakeProject;
/** Auto-naming: the engine would add a random suffix; offline the logical name stands in. */
const nameOf = (args: { name: string; inputs: Inputs }): string => args.inputs.name ?? args.name;

/** Resources referenced by `name`, `id` and `selfLink` (compute, global or regional). */
const compute = (collection: string, scope?: (inputs: Inputs) => string): OutputsFn => args => {
    const name = nameOf(args);
    const where = scope ? scope(args.inputs) : "global";
    const id = `projects/${projectOf(args.inputs)}/${where}/${collection}/${name}`;
    return { name, id, selfLink: `https://www.googleapis.com/compute/v1/${id}` };
};
const regional = (inputs: Inputs) => `regions/${inputs.region ?? "asia-south1"}`;
const named: OutputsFn = args => ({ name: nameOf(args) });

export const gcpMocks: CloudMocks = {
    outputs: {
        "gcp:compute/network:Network": compute("networks"),
        "gcp:compute/subnetwork:Subnetwork": compute("subnetworks", regional),
        "gcp:compute/router:Router": compute("routers", regional),
        "gcp:compute/routerNat:RouterNat": named,
        "gcp:compute/firewall:Firewall": compute("firewalls"),
        "gcp:compute/globalAddress:GlobalAddress": args => ({
            ...compute("addresses")(args),
            address: args.inputs.address ?? "34.120.10.20",
        }),
        "gcp:compute/address:Address": args => ({ ...compute("addresses", regional)(args), address: args.inputs.address ?? "34.93.10.20" }),
        "gcp:compute/backendBucket:BackendBucket": compute("backendBuckets"),
        "gcp:compute/uRLMap:URLMap": compute("urlMaps"),
        "gcp:compute/managedSslCertificate:ManagedSslCertificate": compute("sslCertificates"),
        "gcp:compute/sSLPolicy:SSLPolicy": compute("sslPolicies"),
        "gcp:compute/targetHttpsProxy:TargetHttpsProxy": compute("targetHttpsProxies"),
        "gcp:compute/targetHttpProxy:TargetHttpProxy": compute("targetHttpProxies"),
        "gcp:compute/globalForwardingRule:GlobalForwardingRule": compute("forwardingRules"),
        "gcp:servicenetworking/connection:Connection": () => ({ peering: "servicenetworking-googleapis-com" }),
        "gcp:container/cluster:Cluster": args => ({
            name: nameOf(args),
            id: `projects/${projectOf(args.inputs)}/locations/${args.inputs.location}/clusters/${nameOf(args)}`,
            endpoint: "34.93.200.10",
            masterAuth: { ...(args.inputs.masterAuth ?? {}), clusterCaCertificate: Buffer.from("-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n").toString("base64") },
        }),
        "gcp:container/nodePool:NodePool": named,
        "gcp:kms/keyRing:KeyRing": args => ({
            name: nameOf(args),
            id: `projects/${projectOf(args.inputs)}/locations/${args.inputs.location}/keyRings/${nameOf(args)}`,
        }),
        "gcp:kms/cryptoKey:CryptoKey": args => ({ name: nameOf(args), id: `${args.inputs.keyRing}/cryptoKeys/${nameOf(args)}` }),
        "gcp:sql/databaseInstance:DatabaseInstance": args => ({
            name: nameOf(args),
            // A clone or restored backup is a new instance with an address of its own.
            privateIpAddress: args.inputs.clone !== undefined || args.inputs.restoreBackupContext !== undefined ? "10.29.0.5" : "10.29.0.3",
            connectionName: `${projectOf(args.inputs)}:${args.inputs.region}:${nameOf(args)}`,
            selfLink: `https://sqladmin.googleapis.com/sql/v1beta4/projects/${projectOf(args.inputs)}/instances/${nameOf(args)}`,
        }),
        "gcp:redis/instance:Instance": args => ({
            name: nameOf(args),
            host: "10.29.1.4",
            port: args.inputs.transitEncryptionMode === "SERVER_AUTHENTICATION" ? 6378 : 6379,
            authString: args.inputs.authEnabled ? "fake-redis-auth-0000" : "",
            serverCaCerts: [{ cert: "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n" }],
        }),
        "gcp:storage/bucket:Bucket": args => ({ name: nameOf(args), url: `gs://${nameOf(args)}`, selfLink: `https://www.googleapis.com/storage/v1/b/${nameOf(args)}` }),
        "gcp:dns/managedZone:ManagedZone": args => ({
            name: nameOf(args),
            nameServers: ["ns-cloud-a1.googledomains.com.", "ns-cloud-a2.googledomains.com.", "ns-cloud-a3.googledomains.com.", "ns-cloud-a4.googledomains.com."],
        }),
        "gcp:serviceaccount/account:Account": args => {
            const email = `${args.inputs.accountId}@${projectOf(args.inputs)}.iam.gserviceaccount.com`;
            return { email, member: `serviceAccount:${email}`, name: `projects/${projectOf(args.inputs)}/serviceAccounts/${email}` };
        },
        "gcp:projects/serviceIdentity:ServiceIdentity": args => {
            const service = String(args.inputs.service).split(".")[0];
            const domain = service === "sqladmin" ? "gcp-sa-cloud-sql" : `gcp-sa-${service}`;
            const email = `service-${gcpProjectNumber}@${domain}.iam.gserviceaccount.com`;
            return { email, member: `serviceAccount:${email}` };
        },
        "gcp:projects/iAMCustomRole:IAMCustomRole": args => ({
            name: `projects/${projectOf(args.inputs)}/roles/${args.inputs.roleId}`,
            id: `projects/${projectOf(args.inputs)}/roles/${args.inputs.roleId}`,
        }),
        "gcp:secretmanager/secret:Secret": args => ({
            name: `projects/${gcpProjectNumber}/secrets/${args.inputs.secretId}`,
            id: `projects/${projectOf(args.inputs)}/secrets/${args.inputs.secretId}`,
        }),
        "gcp:logging/projectBucketConfig:ProjectBucketConfig": args => ({
            name: `projects/${projectOf(args.inputs)}/locations/${args.inputs.location}/buckets/${args.inputs.bucketId}`,
        }),
        "gcp:logging/projectSink:ProjectSink": args => ({ writerIdentity: `serviceAccount:service-${gcpProjectNumber}@gcp-sa-logging.iam.gserviceaccount.com`, id: `projects/${projectOf(args.inputs)}/sinks/${args.inputs.name}` }),
        // The CDN's signed URL key material (a random resource only the GCP foundation uses).
        "random:index/randomBytes:RandomBytes": args => {
            const bytes = Buffer.alloc(Number(args.inputs.length ?? 16), 0xfb);
            return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
        },
        "gcp:secretmanager/secretVersion:SecretVersion": args => ({ name: `${args.inputs.secret}/versions/1`, version: "1" }),
    },
    calls: {
        "gcp:organizations/getProject:getProject": args => ({
            projectId: args.inputs.projectId ?? fakeProject,
            number: gcpProjectNumber,
            name: args.inputs.projectId ?? fakeProject,
            id: `projects/${args.inputs.projectId ?? fakeProject}`,
        }),
        "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": args => {
            const emailAddress = `service-${gcpProjectNumber}@gs-project-accounts.iam.gserviceaccount.com`;
            return { emailAddress, member: `serviceAccount:${emailAddress}`, project: args.inputs.project ?? fakeProject, id: emailAddress };
        },
    },
};
