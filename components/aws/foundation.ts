/**
 * The AWS implementation of the cloud foundation (ap-south-1, DR copies in ap-south-2): network,
 * EKS, RDS PostgreSQL, ElastiCache Redis, S3 + CloudFront, Route 53, Secrets Manager and IRSA.
 */
import * as aws from "./sdk";
import * as k8s from "../k8s/sdk";
import * as pulumi from "@pulumi/pulumi";
import { kubernetesServiceCidr } from "../../stacks/cidr";
import { restoreDumpObject } from "../../stacks/restore";
import { AwsStackConfig } from "../../stacks/schema";
import { acmeDns01Issuer } from "../certificates";
import { CertificateIssuer, CloudFoundation, ClusterBackupTarget, FoundationOutputs, ObjectStore, protectStateful, PublicEndpoints, ScheduledCloudJob, TraceStoreTarget } from "../foundation";
import { IdentityWorkload } from "../identities";
import { AuditTrail, auditTrailName } from "./audit";
import { Cache } from "./cache";
import { CacheSnapshots } from "./cacheSnapshots";
import { CiRunnerAccess } from "./ciRunners";
import { Cdn } from "./cdn";
import { Cluster, storageClassName } from "./cluster";
import { Database, databaseName, databaseUser } from "./database";
import { DnsZone } from "./dns";
import { logsKeyPolicy } from "./iam";
import { WorkloadIdentities } from "./identity";
import { Karpenter } from "./karpenter";
import { EncryptionKey } from "./kms";
import { Network } from "./network";
import { createAwsProviders } from "./providers";
import { SecretStore } from "./secrets";
import { Storage } from "./storage";

export interface AwsFoundationArgs {
    /** Validated AWS stack config; every section but `fleet` and `local` is read. */
    readonly config: AwsStackConfig;
}

/** aws-cli v2, pinned: the backup job's uploader and the hourly cache snapshots. */
export const awsCliImage = "amazon/aws-cli:2.22.35";
/** Velero's AWS plugin; v1.14.x is the line for Velero 1.18 (the velero chart 12.1.0's server). */
export const veleroAwsPlugin = "velero/velero-plugin-for-aws:v1.14.2";

export class AwsFoundation extends pulumi.ComponentResource implements CloudFoundation {
    public readonly cloud = "aws" as const;
    public readonly k8sProvider: k8s.Provider;
    public readonly clusterName: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly postgres: CloudFoundation["postgres"];
    public readonly redis: CloudFoundation["redis"];
    public readonly cacheSnapshots: ScheduledCloudJob | undefined;
    public readonly objectStore: ObjectStore;
    public readonly jwtSecret: pulumi.Output<string>;
    public readonly certificateIssuer: CertificateIssuer;
    public readonly storageClass: string;
    public readonly ingressService: CloudFoundation["ingressService"];
    public readonly publicEndpoints: PublicEndpoints;
    public readonly identityEgress: CloudFoundation["identityEgress"];
    public readonly clusterBackup: ClusterBackupTarget;
    public readonly traceStore: TraceStoreTarget;
    public readonly apiServerPeers: CloudFoundation["apiServerPeers"];
    public readonly outputs: FoundationOutputs;
    private readonly identities: WorkloadIdentities;

    constructor(name: string, args: AwsFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:aws:Foundation", name, {}, opts);
        const config = args.config;
        const region = config.aws.region;
        const prefix = `bookkeep-${config.environment}`;
        const protect = protectStateful(config.environment);
        const parent = { parent: this };

        const providers = createAwsProviders(name, config, this);
        const provider = providers.primary;
        const accountId = aws.getCallerIdentityOutput({}, { parent: this, provider }).accountId;

        const logsKey = new EncryptionKey(`${name}-logs`, {
            description: `${prefix}: CloudWatch log groups (VPC flow logs, EKS control plane, RDS) and CloudTrail`,
            alias: `${prefix}-logs`,
            policy: logsKeyPolicy(accountId, region, auditTrailName(prefix)),
            protect,
            provider,
        }, parent);

        new AuditTrail(`${name}-audit`, { prefix, region, accountId, logsKeyArn: logsKey.arn, protect, provider }, parent);

        const network = new Network(`${name}-network`, {
            vpcCidr: config.aws.vpcCidr,
            natGateways: config.aws.natGateways,
            flowLogRetentionDays: config.aws.flowLogRetentionDays,
            region,
            availabilityZones: config.aws.availabilityZones,
            clusterName: prefix,
            logsKeyArn: logsKey.arn,
            accountId,
            provider,
        }, parent);

        const cluster = new Cluster(`${name}-cluster`, {
            clusterName: prefix,
            cluster: config.cluster,
            instanceType: config.aws.nodeInstanceType,
            serviceCidr: config.aws.serviceCidr,
            deployRoleArn: config.aws.deployRoleArn,
            operatorRoleArns: config.aws.operatorRoleArns,
            region,
            vpcId: network.vpc.id,
            privateSubnetIds: network.privateSubnets.map(s => s.id),
            logsKeyArn: logsKey.arn,
            logRetentionDays: config.observability.logRetentionDays,
            protect,
            provider,
        }, parent);

        new CiRunnerAccess(`${name}-ci-runners`, {
            clusterName: prefix,
            vpcId: network.vpc.id,
            clusterSecurityGroupId: cluster.clusterSecurityGroupId,
            provider,
        }, parent);

        new Karpenter(`${name}-karpenter`, {
            clusterName: prefix,
            clusterArn: cluster.cluster.arn,
            cluster: config.cluster,
            instanceType: config.aws.nodeInstanceType,
            region,
            accountId,
            availabilityZones: config.aws.availabilityZones,
            privateSubnetIds: network.privateSubnets.map(s => s.id),
            securityGroupIds: [cluster.clusterSecurityGroupId, cluster.nodeSecurityGroup.id],
            oidcProviderArn: cluster.oidcProvider.arn,
            oidcIssuerUrl: cluster.oidcIssuerUrl,
            provider,
            k8sProvider: cluster.k8sProvider,
        }, parent);

        const dataSubnetIds = network.dataSubnets.map(s => s.id);
        const database = new Database(`${name}-database`, {
            prefix,
            database: config.database,
            instanceClass: config.aws.databaseInstanceClass,
            vpcId: network.vpc.id,
            dataSubnetIds,
            clientSecurityGroupId: cluster.nodeSecurityGroup.id,
            logsKeyArn: logsKey.arn,
            logRetentionDays: config.observability.logRetentionDays,
            protect,
            provider,
            drProvider: providers.dr,
            randomProvider: providers.random,
        }, parent);

        const cache = new Cache(`${name}-cache`, {
            prefix,
            cache: config.cache,
            nodeType: config.aws.cacheNodeType,
            vpcId: network.vpc.id,
            dataSubnetIds,
            clientSecurityGroupId: cluster.nodeSecurityGroup.id,
            protect,
            provider,
            randomProvider: providers.random,
        }, parent);

        const storage = new Storage(`${name}-storage`, {
            prefix, accountId, tracesRetentionDays: config.observability.logRetentionDays, protect, provider, drProvider: providers.dr,
        }, parent);

        const dns = new DnsZone(`${name}-dns`, {
            domain: config.domain,
            parentZoneId: config.aws.parentZoneId,
            apiAddresses: network.ingressAddresses.map(e => e.publicIp),
            protect,
            provider,
        }, parent);

        const cdn = new Cdn(`${name}-cdn`, {
            domain: config.domain,
            zoneId: dns.zoneId,
            assets: storage.assets,
            accountId,
            provider,
            certificateProvider: providers.cloudFrontCertificate,
        }, parent);

        const secrets = new SecretStore(`${name}-secrets`, {
            prefix,
            databaseUrl: database.url,
            redisUrl: cache.url,
            protect,
            provider,
            randomProvider: providers.random,
        }, parent);

        this.identities = new WorkloadIdentities(`${name}-identity`, {
            environment: config.environment,
            oidcProviderArn: cluster.oidcProvider.arn,
            oidcIssuerUrl: cluster.oidcIssuerUrl,
            backupsBucketArn: storage.backups.arn,
            backupsKeyArn: storage.backups.key.arn,
            restoreDump: restoreDumpObject(config.database.restore),
            zoneArn: dns.zone.arn,
            tracesBucketArn: storage.traces.arn,
            tracesKeyArn: storage.traces.key.arn,
            provider,
        }, parent);

        // Managed stores are reached at addresses inside the data subnets; NetworkPolicies admit those.
        const dataPeers = network.layout.data.map(s => ({ ipBlock: { cidr: s.cidr } }));
        // AWS APIs (S3, ElastiCache, STS for the IRSA token exchange) are public HTTPS endpoints.
        const awsApiPeers = [{ ipBlock: { cidr: "0.0.0.0/0", except: [config.aws.vpcCidr] } }];

        this.cacheSnapshots = config.aws.cacheHourlySnapshotsKept > 0
            ? new CacheSnapshots(`${name}-cache-snapshots`, {
                environment: config.environment,
                region,
                accountId,
                replicationGroupId: cache.replicationGroupId,
                keyArn: cache.key.arn,
                keep: config.aws.cacheHourlySnapshotsKept,
                image: awsCliImage,
                apiPeers: awsApiPeers,
                oidcProviderArn: cluster.oidcProvider.arn,
                oidcIssuerUrl: cluster.oidcIssuerUrl,
                provider,
            }, parent).job
            : undefined;

        this.k8sProvider = cluster.k8sProvider;
        this.clusterName = cluster.name;
        this.kubeconfig = cluster.kubeconfig;
        this.postgres = {
            host: database.address,
            port: 5432,
            database: databaseName,
            username: databaseUser,
            password: database.password,
            url: database.url,
            networkPeers: dataPeers,
        };
        this.redis = { host: cache.host, port: 6379, tls: true, url: cache.url, networkPeers: dataPeers };

        const backupsBucket = storage.backups.name;
        const backupsKeyArn = storage.backups.key.arn;
        this.objectStore = {
            documentsBucket: storage.documents.name,
            backupsBucket,
            uploaderImage: awsCliImage,
            // The key is named explicitly: `--sse aws:kms` alone would use the AWS-managed aws/s3 key.
            uploadCommand: (localPath: string, key: string) =>
                pulumi.interpolate`aws s3 cp ${localPath} s3://${backupsBucket}/${key} --sse aws:kms --sse-kms-key-id ${backupsKeyArn}`,
            downloadCommand: (key: string, localPath: string) => pulumi.interpolate`aws s3 cp s3://${backupsBucket}/${key} ${localPath}`,
            uploaderEnv: [{ name: "AWS_REGION", value: region }],
            networkPeers: awsApiPeers,
            uploaderPorts: [443],
        };
        this.clusterBackup = {
            provider: "aws",
            pluginImage: veleroAwsPlugin,
            bucket: backupsBucket,
            // Without kmsKeyId the plugin writes with the bucket's default; naming it keeps Velero's
            // objects under the backups key even if that default changes.
            config: { region, kmsKeyId: backupsKeyArn },
            csiDriver: "ebs.csi.aws.com",
            snapshotCrds: [cluster.snapshotController],
            networkPeers: awsApiPeers,
        };
        this.traceStore = {
            backend: "s3",
            bucket: storage.traces.name,
            // Tempo's S3 client signs for the region's endpoint; the key is named so Tempo's objects
            // stay under the traces key even if the bucket's default changes.
            config: { endpoint: `s3.${region}.amazonaws.com`, region, sse: { type: "SSE-KMS", kms_key_id: storage.traces.key.arn } },
            networkPeers: awsApiPeers,
        };
        this.jwtSecret = secrets.jwtSecret;
        // Credentials come from the cert-manager service account's IRSA role.
        this.certificateIssuer = acmeDns01Issuer(config.acmeEmail, config.domain, { route53: { region, hostedZoneID: dns.zoneId } });
        this.storageClass = storageClassName;
        this.ingressService = {
            type: "LoadBalancer",
            annotations: {
                "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
                "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
                // One Elastic IP per public subnet: the addresses api.<domain> already points at.
                "service.beta.kubernetes.io/aws-load-balancer-eip-allocations": pulumi.all(network.ingressAddresses.map(e => e.allocationId)).apply(ids => ids.join(",")),
            },
        };
        // IRSA projects the web-identity token into the pod; exchanging it at STS is HTTPS like
        // any other AWS API call, which the workloads' own egress already allows.
        this.identityEgress = [];
        // In-cluster clients dial the `kubernetes` Service address, which the VPC CNI's policy agent
        // judges before DNAT; the endpoints behind it are the control plane's ENIs in the cluster's
        // (private) subnets, which clients reaching the API directly dial.
        this.apiServerPeers = [
            { ipBlock: { cidr: kubernetesServiceCidr(config.aws.serviceCidr) } },
            ...network.layout.private.map(s => ({ ipBlock: { cidr: s.cidr } })),
        ];
        this.publicEndpoints = {
            // The network allocates one ingress address per AZ, in the configured order.
            originAddresses: Object.fromEntries(config.aws.availabilityZones.flatMap((az, i) => {
                const eip = network.ingressAddresses[i];
                return eip ? [[az, eip.publicIp]] : [];
            })),
            cdnTarget: { type: "CNAME", content: cdn.distribution.domainName },
            validationRecords: { "cdn-certificate": cdn.validationRecord },
        };
        this.outputs = {
            clusterName: this.clusterName,
            kubeconfig: this.kubeconfig,
            postgresHost: database.address,
            redisHost: cache.host,
            documentsBucket: storage.documents.name,
            backupsBucket,
            apiHostname: pulumi.output(dns.apiHostname),
            cdnHostname: pulumi.output(cdn.hostname),
            nameServers: dns.nameServers,
        };
        this.registerOutputs({
            clusterName: this.clusterName,
            postgresHost: database.address,
            redisHost: cache.host,
            secretArn: secrets.secret.arn,
            cdnDomainName: cdn.distribution.domainName,
        });
    }

    public serviceAccountAnnotations(workload: IdentityWorkload): Record<string, pulumi.Input<string>> {
        return { "eks.amazonaws.com/role-arn": this.identities.roles[workload].arn };
    }

    public identityGrants(workload: IdentityWorkload): pulumi.Resource[] {
        return this.identities.roles[workload].grants;
    }
}
