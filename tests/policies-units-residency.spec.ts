/**
 * policies/residency.ts's rules, called as the analyzer calls them: every place a region, location
 * or reference can hide in a provider or a resource, each next to the form that passes.
 */
import { expect } from "chai";
import {
    allowlisted, awsProviderRegionIndia, awsRegionsIn, awsResourceRegionIndia, gcpLocationIndia, gcpLocationsIn, gcpProviderRegionIndia, gcsBucketSingleRegionIndia,
    globalServicesAllowlisted, providersTaggedWithEnvironment, replicationTargetsInIndia, secretManagerReplicasIndia,
} from "../policies/residency";
import { check, checkStack, fake, Fake, Provider } from "./policies-units-harness";

const aws = "ap-south-1 or ap-south-2";
const gcp = "asia-south1 or asia-south2";
const at = (region: string, name = "p"): Provider => ({ name, props: { region } });
const certProvider = "aws-us-east-1-cloudfront-cert";

describe("policy units: global-services allowlist", () => {
    it("finds the entry by type list or type prefix, and by the inputs where one type serves two purposes", () => {
        const id = (type: string, props?: Record<string, unknown>) => allowlisted(type, props)?.id;
        expect([id("aws:acm/certificate:Certificate"), id("aws:cloudfront/distribution:Distribution"), id("aws:route53/record:Record"), id("aws:iam/role:Role"),
            id("gcp:dns/managedZone:ManagedZone"), id("gcp:compute/uRLMap:URLMap")])
            .to.deep.equal(["cloudfront-certificate", "cloudfront", "route53", "iam", "gcp-dns", "gcp-global-load-balancing"]);
        expect([id("gcp:compute/globalAddress:GlobalAddress", { purpose: "VPC_PEERING" }), id("gcp:compute/globalAddress:GlobalAddress", { purpose: "GCE_ENDPOINT" }),
            id("gcp:compute/globalAddress:GlobalAddress")]).to.deep.equal(["gcp-private-services-access", "gcp-global-load-balancing", "gcp-global-load-balancing"]);
        expect([id("aws:s3/bucket:Bucket"), id("gcp:compute/network:Network"), id("aws:acm/certificateAuthority:CertificateAuthority"), id("kubernetes:aws:iam/x:Y")])
            .to.deep.equal([undefined, undefined, undefined, undefined]);
    });
});

describe("policy units: aws-provider-region-india", () => {
    const provider = (props: Record<string, unknown>, name = "p") => check(awsProviderRegionIndia, "pulumi:providers:aws", props, name);
    const outside = (region: string) => [`AWS provider region is ${region}; set region to ${aws}: BookKeep data must stay in India.`];

    it("holds every other provider to India, a missing region included", () => {
        expect(provider({ region: "ap-south-1" })).to.deep.equal([]);
        expect(provider({ region: "us-east-1" })).to.deep.equal(outside("\"us-east-1\""));
        expect(provider({})).to.deep.equal(outside("null"));
        expect(check(awsProviderRegionIndia, "pulumi:providers:gcp", { region: "us-east-1" })).to.deep.equal([]);
    });

    it("holds the CloudFront certificate provider to us-east-1 and nothing else", () => {
        const wrong = (has: string) => [`The CloudFront certificate provider must use region us-east-1 (it has ${has}); set region: "us-east-1" or rename the provider.`];
        expect(provider({ region: "us-east-1" }, certProvider)).to.deep.equal([]);
        expect(provider({ region: "ap-south-1" }, certProvider)).to.deep.equal(wrong("\"ap-south-1\""));
        expect(provider({}, certProvider)).to.deep.equal(wrong("null"));
        expect(provider({ region: "us-east-1" }, "aws-us-east-1-cloudfront")).to.deep.equal(outside("\"us-east-1\""));
    });

    it("refuses an endpoint override that names no region or a region outside India, one report per override", () => {
        const endpoint = (path: string, value: string, why: string) => `AWS provider ${path} is ${value}, ${why}; remove the override or point it at an endpoint in ${aws}.`;
        expect(provider({ region: "ap-south-1", endpoints: [{ s3: "https://s3.ap-south-1.amazonaws.com", sqs: "https://sqs.ap-south-2.amazonaws.com" }] })).to.deep.equal([]);
        expect(provider({ region: "ap-south-1", endpoints: [{ s3: "https://minio.example.com" }] }))
            .to.deep.equal([endpoint("endpoints[0].s3", "https://minio.example.com", "which names no AWS region")]);
        expect(provider({ region: "ap-south-1", endpoints: JSON.stringify([{ s3: "https://s3.ap-south-1.amazonaws.com/.s3.eu-west-1.amazonaws.com" }]) }))
            .to.deep.equal([endpoint("endpoints[0].s3", "https://s3.ap-south-1.amazonaws.com/.s3.eu-west-1.amazonaws.com", "outside India")]);
        expect(provider({ region: "us-east-1", endpoints: [{ s3: "https://s3.us-east-1.amazonaws.com" }] }, certProvider)).to.deep.equal([]);
    });
});

describe("policy units: gcp-provider-region-india", () => {
    const provider = (props: Record<string, unknown>) => check(gcpProviderRegionIndia, "pulumi:providers:gcp", props);

    it("holds the region to asia-south1 or asia-south2 in any case, a missing region included", () => {
        expect(provider({ region: "asia-south1" })).to.deep.equal([]);
        expect(provider({ region: "ASIA-SOUTH2" })).to.deep.equal([]);
        for (const region of ["asia-south3", "asia-southeast1", "xasia-south1", "asia-south1x"]) {
            expect(provider({ region }), region).to.deep.equal([`GCP provider region is "${region}"; set region to ${gcp}: BookKeep data must stay in India.`]);
        }
        expect(provider({})).to.deep.equal([`GCP provider region is null; set region to ${gcp}: BookKeep data must stay in India.`]);
        expect(provider({ region: 1 })).to.deep.equal([`GCP provider region is 1; set region to ${gcp}: BookKeep data must stay in India.`]);
        expect(check(gcpProviderRegionIndia, "pulumi:providers:aws", { region: "us-east-1" })).to.deep.equal([]);
    });

    it("holds a zone, when one is set, to a zone of India", () => {
        expect(provider({ region: "asia-south1", zone: "asia-south1-a" })).to.deep.equal([]);
        for (const zone of ["us-central1-a", "asia-south1-ab", ""]) {
            expect(provider({ region: "asia-south1", zone }), zone).to.deep.equal([`GCP provider zone is "${zone}"; use a zone of ${gcp}, such as asia-south1-a.`]);
        }
    });

    it("accepts as custom endpoints only HTTPS URLs of Google's hosts in India", () => {
        const bad = (key: string, value: unknown) => [`GCP provider ${key} is ${JSON.stringify(value)}, not a Google endpoint in India; remove it or use https://asia-south1-<service>.googleapis.com/.`];
        for (const value of ["https://asia-south3-sql.googleapis.com/", "https://asia-south1-sql.googleapis.com", "https://asia-south1-.googleapis.com/",
            "https://asia-south1-sql_x.googleapis.com/", "https://asia-south1-sqlxgoogleapis.com/", "https://asia-south1-sql.googleapisxcom/",
            "http://proxy/https://asia-south1-sql.googleapis.com/", 7, ["https://asia-south1-sql.googleapis.com/"]]) {
            expect(provider({ region: "asia-south1", sqlCustomEndpoint: value }), String(value)).to.deep.equal(bad("sqlCustomEndpoint", value));
        }
        expect(provider({ region: "asia-south1", storageCustomEndpoint: "https://asia-south1-storage.googleapis.com/storage/v1/" })).to.deep.equal([]);
        expect(provider({ region: "asia-south1", customEndpointNote: "https://example.com/" })).to.deep.equal([]);
    });
});

describe("policy units: global-services-allowlisted", () => {
    const onProvider = (type: string, provider?: Provider, props: Record<string, unknown> = {}) => check(globalServicesAllowlisted, type, props, "r", { provider });
    const notListed = (type: string, region: string) =>
        [`${type} is created in ${region}, outside India, and is not on the global-services allowlist; give it a provider in ${aws}.`];

    it("refuses an AWS resource whose provider is outside India unless its service is allowlisted", () => {
        expect(onProvider("aws:s3/bucket:Bucket", at("us-east-1"))).to.deep.equal(notListed("aws:s3/bucket:Bucket", "us-east-1"));
        expect(onProvider("aws:s3/bucket:Bucket", at("ap-south-2"))).to.deep.equal([]);
        expect(onProvider("aws:s3/bucket:Bucket")).to.deep.equal([]);
        expect(onProvider("aws:route53/record:Record", at("us-east-1"))).to.deep.equal([]);
        expect(onProvider("aws:cloudfront/distribution:Distribution", at("us-east-1"))).to.deep.equal([]);
    });

    it("allows the CloudFront certificate only on the provider named for it", () => {
        expect(onProvider("aws:acm/certificate:Certificate", at("us-east-1", certProvider))).to.deep.equal([]);
        expect(onProvider("aws:acm/certificate:Certificate", at("us-east-1"))).to.deep.equal(notListed("aws:acm/certificate:Certificate", "us-east-1"));
    });

    it("refuses GCP global-only compute resources that are not allowlisted, and leaves regional ones alone", () => {
        const global = (type: string) => [`${type} is a global resource that is not on the global-services allowlist; use a regional equivalent in ${gcp}.`];
        for (const type of ["gcp:compute/globalNetworkEndpointGroup:GlobalNetworkEndpointGroup", "gcp:compute/targetSslProxy:TargetSslProxy",
            "gcp:compute/targetTcpProxy:TargetTcpProxy", "gcp:compute/sslCertificate:SslCertificate"]) {
            expect(onProvider(type), type).to.deep.equal(global(type));
        }
        for (const type of ["gcp:compute/globalAddress:GlobalAddress", "gcp:compute/globalForwardingRule:GlobalForwardingRule", "gcp:compute/address:Address",
            "gcp:compute/regionSslCertificate:RegionSslCertificate", "gcp:compute/global:Global", "gcp:storage/globalBucket:GlobalBucket", "kubernetes:compute/globalX:GlobalX",
            "acme-gcp:compute/globalWidget:GlobalWidget"]) {
            expect(onProvider(type), type).to.deep.equal([]);
        }
    });
});

describe("policy units: AWS regions a string names", () => {
    it("reads an ARN's region field, and region codes only in amazonaws.com endpoints", () => {
        expect(awsRegionsIn("arn:aws:kms:eu-west-1:1:key/k")).to.deep.equal(["eu-west-1"]);
        expect(awsRegionsIn("arn:aws-cn:kms:cn-north-1:1:key/k")).to.deep.equal(["cn-north-1"]);
        expect(awsRegionsIn("arn:aws:s3:::bucket")).to.deep.equal([]);
        expect(awsRegionsIn("see arn:aws:kms:eu-west-1:1:key/k")).to.deep.equal([]);
        expect(awsRegionsIn("https://s3.us-east-1.amazonaws.com")).to.deep.equal(["us-east-1"]);
        expect(awsRegionsIn("https://s3-us-west-2.amazonaws.com/b,https://sqs.us-gov-west-1.amazonaws.com")).to.deep.equal(["us-west-2", "us-gov-west-1"]);
        expect(awsRegionsIn("https://s3.ap-southeast-12.amazonaws.com")).to.deep.equal(["ap-southeast-12"]);
        expect(awsRegionsIn("us-east-1")).to.deep.equal([]);
        expect(awsRegionsIn("https://ec2.us-east-1a.amazonaws.com")).to.deep.equal([]);
        expect(awsRegionsIn("https://xus-east-1.amazonaws.com")).to.deep.equal([]);
    });
});

describe("policy units: aws-resource-region-india", () => {
    const resource = (type: string, props: Record<string, unknown>) => check(awsResourceRegionIndia, type, props);
    const key = (path: string, value: string) => `${path} is "${value}", outside India; replicas and copies may only go to ${aws}.`;
    const ref = (path: string, value: string, region: string) => `${path} references ${value} in ${region}, outside India; copy or replicate only to and from ${aws}.`;

    it("judges region, regionName and every *Region key, not keys that only start or end alike", () => {
        expect(resource("aws:dynamodb/table:Table", { replicas: [{ regionName: "eu-west-1" }, { regionName: "ap-south-2" }], region: "us-east-1" }))
            .to.deep.equal([key("replicas[0].regionName", "eu-west-1"), key("region", "us-east-1")]);
        expect(resource("aws:dynamodb/table:Table", { region: "ap-south-1" })).to.deep.equal([]);
        expect(resource("aws:ssm/parameter:Parameter", { regional: "eu-west-1", subregion: "eu-west-1", Region: "eu-west-1" })).to.deep.equal([]);
    });

    it("reports a region key once, even when its value is an endpoint", () => {
        expect(resource("aws:dms/endpoint:Endpoint", { sourceRegion: "https://s3.eu-west-1.amazonaws.com" }))
            .to.deep.equal([key("sourceRegion", "https://s3.eu-west-1.amazonaws.com")]);
    });

    it("reports each outside region a reference names once, and references inside India not at all", () => {
        const twice = "https://a.us-east-1.amazonaws.com/https://b.us-east-1.amazonaws.com/https://c.ap-south-1.amazonaws.com";
        expect(resource("aws:sns/topicSubscription:TopicSubscription", { endpoint: twice })).to.deep.equal([ref("endpoint", twice, "us-east-1")]);
        expect(resource("aws:sns/topicSubscription:TopicSubscription", { endpoint: "arn:aws:sqs:ap-south-2:1:q" })).to.deep.equal([]);
    });

    it("lets an allowlisted service keep the references it needs, and no one else", () => {
        const cert = "arn:aws:acm:us-east-1:1:certificate/c";
        expect(resource("aws:cloudfront/distribution:Distribution", { viewerCertificate: { acmCertificateArn: cert } })).to.deep.equal([]);
        expect(resource("aws:cloudfront/distribution:Distribution", { origins: [{ domainName: "b.s3.us-east-1.amazonaws.com" }] }))
            .to.deep.equal([ref("origins[0].domainName", "b.s3.us-east-1.amazonaws.com", "us-east-1")]);
        expect(resource("aws:lb/listener:Listener", { certificateArn: cert })).to.deep.equal([ref("certificateArn", cert, "us-east-1")]);
        const embedded = `https://acm.us-east-1.amazonaws.com/${cert}`;
        expect(resource("aws:cloudfront/distribution:Distribution", { comment: embedded })).to.deep.equal([ref("comment", embedded, "us-east-1")]);
    });
});

describe("policy units: GCP locations a string names", () => {
    it("reads locations, regions and zones path segments only", () => {
        expect(gcpLocationsIn("projects/p/locations/us-central1/keyRings/k")).to.deep.equal(["us-central1"]);
        expect(gcpLocationsIn("regions/europe-west1/subnetworks/s")).to.deep.equal(["europe-west1"]);
        expect(gcpLocationsIn("https://www.googleapis.com/compute/v1/projects/p/zones/us-east1-b/disks/d")).to.deep.equal(["us-east1-b"]);
        expect(gcpLocationsIn("projects/p/locations/us/buckets/b/locations/eu")).to.deep.equal(["us", "eu"]);
        expect(gcpLocationsIn("projects/p/sublocations/us/x")).to.deep.equal([]);
        expect(gcpLocationsIn("projects/p/locations/")).to.deep.equal([]);
    });
});

describe("policy units: gcp-location-india", () => {
    const resource = (type: string, props: Record<string, unknown>) => check(gcpLocationIndia, type, props);
    const key = (path: string, value: string) => `${path} is "${value}", outside India; use ${gcp} (or one of their zones).`;
    const ref = (path: string, value: string, location: string) => `${path} refers to ${value} in ${location}, outside India; refer only to resources in ${gcp}.`;

    it("judges every key ending in region, location or zone, plural or Id, in any case", () => {
        expect(resource("gcp:redis/instance:Instance", { locationId: "asia-south1-a", alternativeLocationId: "us-central1-b" }))
            .to.deep.equal([key("alternativeLocationId", "us-central1-b")]);
        expect(resource("gcp:container/nodePool:NodePool", { nodeLocations: ["asia-south1-a", "us-east1-b"], autoscaling: { locationPolicy: "BALANCED" } }))
            .to.deep.equal([key("nodeLocations[1]", "us-east1-b")]);
        expect(resource("gcp:compute/resourcePolicy:ResourcePolicy", { snapshotSchedulePolicy: { snapshotProperties: { storageLocations: ["us"] } }, REGION: "EU" }))
            .to.deep.equal([key("snapshotSchedulePolicy.snapshotProperties.storageLocations[0]", "us"), key("REGION", "EU")]);
        expect(resource("gcp:compute/instanceGroupManager:InstanceGroupManager", { zones: ["asia-south2-c"], zone: "ASIA-SOUTH1-B", region: "asia-south2" })).to.deep.equal([]);
    });

    it("leaves the bucket's own location to its own policy, and no other resource's", () => {
        expect(resource("gcp:storage/bucket:Bucket", { location: "US" })).to.deep.equal([]);
        expect(resource("gcp:bigquery/dataset:Dataset", { location: "US" })).to.deep.equal([key("location", "US")]);
        expect(resource("gcp:storage/bucket:Bucket", { logging: { location: "US" } })).to.deep.equal([key("logging.location", "US")]);
    });

    it("reports a location key once even when it holds a path, and each outside location a path names once", () => {
        expect(resource("gcp:compute/subnetwork:Subnetwork", { region: "projects/p/regions/us-east1" })).to.deep.equal([key("region", "projects/p/regions/us-east1")]);
        expect(resource("gcp:compute/subnetwork:Subnetwork", { network: "projects/p/regions/asia-south1/networks/n" })).to.deep.equal([]);
        const twice = "projects/p/locations/us/a/locations/us/b/locations/asia-south1";
        expect(resource("gcp:kms/cryptoKey:CryptoKey", { keyRing: twice })).to.deep.equal([ref("keyRing", twice, "us")]);
    });
});

describe("policy units: gcs-bucket-single-region-india", () => {
    const bucket = (props: Record<string, unknown>) => check(gcsBucketSingleRegionIndia, "gcp:storage/bucket:Bucket", props);
    const india = `set location to ASIA-SOUTH1 or ASIA-SOUTH2, or to ASIA with customPlacementConfig.dataLocations [ASIA-SOUTH1, ASIA-SOUTH2]`;
    const located = (location: string) => [`Bucket location is "${location}"; ${india}: other multi- and dual-region buckets copy data outside India.`];
    const dual = (locations: string) =>
        [`Bucket is a dual-region of [${locations}]; the only dual-region inside India is [ASIA-SOUTH1, ASIA-SOUTH2]: use it or a single Indian region.`];

    it("accepts a single Indian region in any case, and nothing else without a placement", () => {
        expect(bucket({ location: "asia-south1" })).to.deep.equal([]);
        expect(bucket({ location: "ASIA-SOUTH2" })).to.deep.equal([]);
        expect(bucket({ location: "ASIA" })).to.deep.equal(located("ASIA"));
        expect(bucket({ location: "asia-southeast1" })).to.deep.equal(located("asia-southeast1"));
        expect(bucket({})).to.deep.equal(located(""));
        expect(check(gcsBucketSingleRegionIndia, "gcp:storage/managedFolder:ManagedFolder", { location: "US" })).to.deep.equal([]);
    });

    it("accepts as a dual-region exactly the two Indian regions", () => {
        expect(bucket({ location: "asia", customPlacementConfig: { dataLocations: ["asia-south2", "ASIA-SOUTH1"] } })).to.deep.equal([]);
        expect(bucket({ location: "ASIA", customPlacementConfig: { dataLocations: ["ASIA-SOUTH1"] } })).to.deep.equal(dual("ASIA-SOUTH1"));
        expect(bucket({ location: "ASIA", customPlacementConfig: { dataLocations: ["ASIA-SOUTH1", "ASIA-SOUTH1"] } })).to.deep.equal(dual("ASIA-SOUTH1, ASIA-SOUTH1"));
        expect(bucket({ location: "ASIA", customPlacementConfig: { dataLocations: ["ASIA-SOUTH1", "ASIA-SOUTH2", "ASIA-EAST1"] } }))
            .to.deep.equal(dual("ASIA-SOUTH1, ASIA-SOUTH2, ASIA-EAST1"));
        expect(bucket({ location: "ASIA", customPlacementConfig: {} })).to.deep.equal(dual(""));
        expect(bucket({ location: "US", customPlacementConfig: { dataLocations: ["ASIA-SOUTH1", "ASIA-SOUTH2"] } })).to.deep.equal(located("US"));
    });

    it("refuses a placement on a single region", () => {
        expect(bucket({ location: "ASIA-SOUTH1", customPlacementConfig: { dataLocations: ["ASIA-SOUTH1", "ASIA-SOUTH2"] } }))
            .to.deep.equal(["Bucket sets customPlacementConfig on a single region; remove it (the India-only dual-region is location ASIA with both Indian regions)."]);
    });
});

describe("policy units: secret-manager-replicas-india", () => {
    const secret = (props: Record<string, unknown>) => check(secretManagerReplicasIndia, "gcp:secretmanager/secret:Secret", props);
    const automatic = [`Secret uses automatic replication, which copies it to any Google region; set replication.userManaged.replicas with locations ${gcp}.`];
    const none = [`Secret has no user-managed replicas; add replicas in ${gcp}.`];

    it("refuses automatic or missing replication, even next to user-managed replicas", () => {
        const replicas = { replicas: [{ location: "asia-south1" }] };
        expect(secret({ replication: { userManaged: replicas } })).to.deep.equal([]);
        expect(secret({ replication: { auto: {} } })).to.deep.equal(automatic);
        expect(secret({ replication: { auto: {}, userManaged: replicas } })).to.deep.equal(automatic);
        expect(secret({ replication: {} })).to.deep.equal(automatic);
        expect(secret({})).to.deep.equal(automatic);
        expect(check(secretManagerReplicasIndia, "gcp:secretmanager/secretVersion:SecretVersion", {})).to.deep.equal([]);
    });

    it("refuses each replica outside India, and user-managed replication without replicas", () => {
        expect(secret({ replication: { userManaged: { replicas: [{ location: "asia-south2" }, { location: "us-east1" }, {}, null] } } })).to.deep.equal([
            `Secret replica location "us-east1" is outside India; use ${gcp}.`,
            `Secret replica location "undefined" is outside India; use ${gcp}.`,
            `Secret replica location "undefined" is outside India; use ${gcp}.`,
        ]);
        expect(secret({ replication: { userManaged: {} } })).to.deep.equal(none);
        expect(secret({ replication: { userManaged: { replicas: [] } } })).to.deep.equal(none);
    });
});

describe("policy units: replication-targets-in-india", () => {
    const bucket = (name: string, region?: string) => fake("aws:s3/bucket:Bucket", name, {}, {}, { provider: region ? at(region) : undefined });
    const replication = (source: Fake, rules: unknown[], ruleDeps: Fake[]) =>
        fake("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "repl", { rules }, { bucket: [source], rules: ruleDeps });
    const to = (bucketArn: string) => ({ destination: { bucket: bucketArn } });

    it("refuses a declared destination bucket outside India, whose region is its own or its provider's", () => {
        const source = bucket("src", "ap-south-1");
        const dest = bucket("dest", "us-east-1");
        expect(checkStack(replicationTargetsInIndia, source, dest, replication(source, [to("arn:aws:s3:::dest")], [source, dest])))
            .to.deep.equal([`repl: S3 replication repl copies to bucket dest in us-east-1, outside India; replicate only to a bucket in ${aws}.`]);
        const own = fake("aws:s3/bucketV2:BucketV2", "own", { region: "eu-west-1" });
        expect(checkStack(replicationTargetsInIndia, source, own, replication(source, [to("arn:aws:s3:::own")], [own])))
            .to.deep.equal([`repl: S3 replication repl copies to bucket own in eu-west-1, outside India; replicate only to a bucket in ${aws}.`]);
        const india = bucket("india", "ap-south-2");
        const role = fake("aws:iam/role:Role", "role", {}, {}, { provider: at("us-east-1") });
        expect(checkStack(replicationTargetsInIndia, source, india, replication(source, [to("arn:aws:s3:::india")], [india, role]))).to.deep.equal([]);
    });

    it("does not take the source bucket, or a bucket of unknown region, for a destination outside India", () => {
        const source = bucket("src", "eu-west-1");
        const dest = bucket("dest");
        expect(checkStack(replicationTargetsInIndia, source, dest, replication(source, [to("arn:aws:s3:::dest")], [source, dest]))).to.deep.equal([]);
    });

    it("refuses destinations the stack does not declare, since an S3 ARN names no region", () => {
        const source = bucket("src", "ap-south-1");
        const dest = bucket("dest", "ap-south-2");
        const undeclared = (destinations: string) => [`repl: S3 replication repl copies to ${destinations}, which this stack does not all declare, so their region cannot be checked; ` +
            `replicate only to a bucket declared in this stack with a provider in ${aws}.`];
        expect(checkStack(replicationTargetsInIndia, source, replication(source, [to("arn:aws:s3:::elsewhere")], [])))
            .to.deep.equal(undeclared("arn:aws:s3:::elsewhere"));
        expect(checkStack(replicationTargetsInIndia, source, dest, replication(source, [to("arn:aws:s3:::dest"), to("arn:aws:s3:::elsewhere")], [dest])))
            .to.deep.equal(undeclared("arn:aws:s3:::dest, arn:aws:s3:::elsewhere"));
        expect(checkStack(replicationTargetsInIndia, source, dest, replication(source, [to("arn:aws:s3:::dest"), to("arn:aws:s3:::dest"), {}, null], [dest]))).to.deep.equal([]);
        const second = bucket("second", "ap-south-1");
        expect(checkStack(replicationTargetsInIndia, source, dest, second, replication(source, [to("arn:aws:s3:::dest"), to("arn:aws:s3:::second")], [dest, second])))
            .to.deep.equal([]);
    });

    it("refuses an ElastiCache global datastore with a member outside India, primary or secondary", () => {
        const group = (name: string, region: string, deps: Record<string, Fake[]> = {}) =>
            fake("aws:elasticache/replicationGroup:ReplicationGroup", name, {}, deps, { provider: at(region) });
        const primary = group("primary", "us-east-1");
        const global = fake("aws:elasticache/globalReplicationGroup:GlobalReplicationGroup", "global", {}, { primaryReplicationGroupId: [primary] });
        const other = fake("aws:elasticache/globalReplicationGroup:GlobalReplicationGroup", "other", {}, { primaryReplicationGroupId: [group("p2", "ap-south-1")] });
        const member = (region: string, of: Fake) => group(`secondary-${region}`, region, { globalReplicationGroupId: [of] });
        const outside = (g: string, m: string, region: string) => `${g}: ElastiCache global datastore ${g} has member ${m} in ${region}, outside India; keep every member in ${aws}.`;
        const unknownRegion = fake("aws:elasticache/replicationGroup:ReplicationGroup", "from-config", {}, { globalReplicationGroupId: [global] });
        expect(checkStack(replicationTargetsInIndia, primary, global, other, member("eu-west-1", global), member("ap-south-2", global), member("us-west-2", other), unknownRegion))
            .to.deep.equal([outside("global", "primary", "us-east-1"), outside("global", "secondary-eu-west-1", "eu-west-1"), outside("other", "secondary-us-west-2", "us-west-2")]);
    });
});

describe("policy units: providers-tagged-with-environment", () => {
    const awsProvider = (name: string, defaultTags?: unknown) => fake("pulumi:providers:aws", name, defaultTags === undefined ? {} : { defaultTags });
    const gcpProvider = (name: string, defaultLabels?: unknown) => fake("pulumi:providers:gcp", name, defaultLabels === undefined ? {} : { defaultLabels });

    it("refuses a provider that stamps another environment or none, with the fix for its cloud", () => {
        const stack = fake("pulumi:pulumi:Stack", "bookkeep-production", {});
        expect(checkStack(providersTaggedWithEnvironment, stack,
            awsProvider("aws-ok", { tags: { Environment: "production" } }), gcpProvider("gcp-ok", JSON.stringify({ environment: "production" })),
            awsProvider("aws-staging", { tags: { Environment: "staging" } }), gcpProvider("gcp-none"),
            fake("aws:s3/bucket:Bucket", "untagged", {}),
        )).to.deep.equal([
            "aws-staging: Provider aws-staging is tagged \"staging\" in the production stack; set defaultTags: { tags: { Environment: \"production\" } } so environment guardrails and cost reports see it.",
            "gcp-none: Provider gcp-none is tagged null in the production stack; set defaultLabels: { environment: \"production\" } so environment guardrails and cost reports see it.",
        ]);
    });

    it("judges nothing in a stack whose environment is unknown (not its name, and its resources disagree)", () => {
        const sandbox = (r: Fake) => ({ ...r, urn: r.urn.replace("urn:pulumi:production::", "urn:pulumi:sandbox::") });
        expect(checkStack(providersTaggedWithEnvironment, sandbox(fake("pulumi:pulumi:Stack", "bookkeep-sandbox", {})),
            sandbox(awsProvider("aws-staging", { tags: { Environment: "staging" } })), sandbox(gcpProvider("gcp-production", { environment: "production" })))).to.deep.equal([]);
    });
});
