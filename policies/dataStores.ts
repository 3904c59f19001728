/**
 * Data stores by family, on both clouds. The data-protection and residency policies judge the
 * store types listed here as covered; every other resource type of a data-store service is refused
 * until policies cover it: a new store type (Aurora's neighbours, DynamoDB, OpenSearch, Pub/Sub
 * Lite, BigQuery, ...) must not arrive without encryption, exposure and backup checks.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";

export type Family = "relational" | "cache" | "object" | "file" | "queue" | "search" | "key-value" | "analytics";

/** The cloud services that store data, by type-token prefix, with their family. */
export const dataStoreServices: ReadonlyArray<readonly [string, Family]> = [
    ["aws:rds/", "relational"], ["aws:docdb/", "relational"], ["aws:neptune/", "relational"], ["aws:neptunegraph/", "relational"],
    ["aws:dsql/", "relational"], ["gcp:sql/", "relational"], ["gcp:alloydb/", "relational"], ["gcp:spanner/", "relational"],
    ["aws:elasticache/", "cache"], ["aws:memorydb/", "cache"], ["aws:dax/", "cache"], ["gcp:redis/", "cache"], ["gcp:memcache/", "cache"],
    ["gcp:memorystore/", "cache"],
    ["aws:s3/", "object"], ["aws:s3control/", "object"], ["aws:s3tables/", "object"], ["aws:s3outposts/", "object"], ["aws:glacier/", "object"],
    ["gcp:storage/", "object"],
    ["aws:efs/", "file"], ["aws:fsx/", "file"], ["gcp:filestore/", "file"],
    ["aws:sqs/", "queue"], ["aws:sns/", "queue"], ["aws:kinesis/", "queue"], ["aws:msk/", "queue"], ["aws:mq/", "queue"], ["gcp:pubsub/", "queue"],
    ["aws:opensearch/", "search"], ["aws:elasticsearch/", "search"], ["aws:cloudsearch/", "search"], ["aws:kendra/", "search"],
    ["aws:dynamodb/", "key-value"], ["aws:keyspaces/", "key-value"], ["aws:qldb/", "key-value"], ["gcp:bigtable/", "key-value"],
    ["gcp:firestore/", "key-value"], ["gcp:datastore/", "key-value"],
    ["aws:redshift/", "analytics"], ["aws:redshiftserverless/", "analytics"], ["aws:timestreamwrite/", "analytics"],
    ["aws:timestreaminfluxdb/", "analytics"], ["aws:athena/", "analytics"], ["aws:glue/", "analytics"], ["gcp:bigquery/", "analytics"],
];

/** Store types the pack's policies judge (encryption, exposure, backups, residency). */
export const coveredStores: readonly string[] = [
    "aws:rds/instance:Instance", "aws:rds/cluster:Cluster", "aws:rds/clusterInstance:ClusterInstance",
    "gcp:sql/databaseInstance:DatabaseInstance",
    "aws:elasticache/replicationGroup:ReplicationGroup", "aws:elasticache/cluster:Cluster", "gcp:redis/instance:Instance",
    "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "gcp:storage/bucket:Bucket",
    "gcp:pubsub/topic:Topic", "aws:sqs/queue:Queue",
];

export interface Configuration {
    readonly types: readonly string[];
    /** Why these types hold no data of their own, or which covered store's policies judge them. */
    readonly reason: string;
}

/** Types of data-store services that configure a covered store and hold no data of their own. */
export const storeConfiguration: readonly Configuration[] = [
    {
        types: ["aws:rds/parameterGroup:ParameterGroup", "aws:rds/clusterParameterGroup:ClusterParameterGroup", "aws:rds/subnetGroup:SubnetGroup"],
        reason: "database engine settings and the subnets an RDS store runs in; rds-tls-required reads the parameter group",
    },
    {
        types: ["aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"],
        reason: "copies a covered instance's backups to the region of its provider, which the residency policies hold to India",
    },
    {
        types: ["aws:elasticache/subnetGroup:SubnetGroup", "aws:elasticache/parameterGroup:ParameterGroup", "aws:elasticache/user:User", "aws:elasticache/userGroup:UserGroup"],
        reason: "the subnets, engine settings and AUTH users of a covered ElastiCache replication group",
    },
    {
        types: [
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws:s3/bucketPolicy:BucketPolicy", "aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
            "aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2", "aws:s3/bucketObject:BucketObject", "aws:s3/bucketObjectv2:BucketObjectv2",
        ],
        reason: "settings and objects of a covered S3 bucket: the S3 policies judge encryption, public access and TLS per bucket, and replication destinations",
    },
    {
        types: ["gcp:sql/database:Database", "gcp:sql/user:User"],
        reason: "a database and a login inside a covered Cloud SQL instance, stored by it",
    },
    {
        types: [
            "gcp:storage/bucketIAMMember:BucketIAMMember", "gcp:storage/bucketIAMBinding:BucketIAMBinding", "gcp:storage/bucketIAMPolicy:BucketIAMPolicy",
            "gcp:storage/bucketAccessControl:BucketAccessControl", "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl",
            "gcp:storage/objectAccessControl:ObjectAccessControl", "gcp:storage/bucketObject:BucketObject",
        ],
        reason: "access grants and objects of a covered Cloud Storage bucket; gcs-bucket-not-public judges the grants",
    },
    {
        types: ["aws:sqs/queuePolicy:QueuePolicy"],
        reason: "who may send to and receive from a covered SQS queue; sqs-queue-not-public judges it",
    },
    {
        types: ["gcp:pubsub/subscription:Subscription", "gcp:pubsub/topicIAMMember:TopicIAMMember", "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember"],
        reason: "a subscription retains a covered topic's messages under the topic's message storage policy; IAM members grant access",
    },
];

/** The family of a data-store service that `type` belongs to, if it is one. */
export function dataStoreFamily(type: string): Family | undefined {
    return dataStoreServices.find(([prefix]) => type.startsWith(prefix))?.[1];
}

const configured = new Set(storeConfiguration.flatMap(c => c.types));

export const dataStoreTypesCovered: ResourceValidationPolicy = {
    name: "data-store-types-covered",
    description: "Checks whether every resource of a data-store service (relational, cache, object, file, queue, search, key-value, analytics) is a store type the pack's policies cover, or a named configuration type of one.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const family = dataStoreFamily(args.type);
        if (family === undefined || coveredStores.includes(args.type) || configured.has(args.type)) {
            return;
        }
        const sameFamily = coveredStores.filter(t => dataStoreFamily(t) === family);
        const alternatives = sameFamily.length > 0 ? `use a covered ${family} store (${sameFamily.join(", ")})` : `no ${family} store is covered yet`;
        report(`${args.type} belongs to a data store service (${family}) that no policy in this pack covers; ${alternatives}, ` +
            "or add policies for it (encryption, exposure, backups, residency) and list it in policies/dataStores.ts first.");
    },
};
