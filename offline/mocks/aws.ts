/** What fake AWS resources report back: the computed outputs the program reads. */
import { CloudMocks } from "./types";

export const accountId = "123456789012";
const region = "ap-south-1";

/** A stable fake hex id derived from the resource name (AWS ids look like `vpc-0a1b2c...`). */
function hexId(name: string, length = 17): string {
    let h = 2166136261;
    let out = "";
    while (out.length < length) {
        for (const ch of name + out.length) {
            h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
        }
        out += h.toString(16).padStart(8, "0");
    }
    return out.slice(0, length);
}

const str = (v: unknown, fallback: string) => (typeof v === "string" && v !== "" ? v : fallback);

export const awsMocks: CloudMocks = {
    outputs: {
        "aws:eks/cluster:Cluster": args => {
            const name = str(args.inputs.name, args.name);
            const oidcId = hexId(name, 32).toUpperCase();
            return {
                name,
                arn: `arn:aws:eks:${region}:${accountId}:cluster/${name}`,
                endpoint: `https://${oidcId}.gr7.${region}.eks.amazonaws.com`,
                certificateAuthority: { data: "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCmZha2UKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=" },
                identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${oidcId}` }] }],
                vpcConfig: { ...(args.inputs.vpcConfig as object), clusterSecurityGroupId: `sg-${hexId(`${name}-cluster`)}`, vpcId: "vpc-fake" },
                status: "ACTIVE",
            };
        },
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider": args => ({
            arn: `arn:aws:iam::${accountId}:oidc-provider/${String(args.inputs.url).replace(/^https:\/\//, "")}`,
        }),
        "aws:iam/role:Role": args => {
            const name = str(args.inputs.name, `${args.name}-${hexId(args.name, 7)}`);
            return { name, arn: `arn:aws:iam::${accountId}:role/${name}` };
        },
        "aws:kms/key:Key": args => {
            const keyId = `${hexId(args.name, 8)}-0000-4000-8000-${hexId(`${args.name}k`, 12)}`;
            return { keyId, id: keyId, arn: `arn:aws:kms:${region}:${accountId}:key/${keyId}` };
        },
        "aws:ec2/vpc:Vpc": args => ({ id: `vpc-${hexId(args.name)}`, defaultSecurityGroupId: `sg-${hexId(`${args.name}-default`)}` }),
        "aws:ec2/subnet:Subnet": args => ({ id: `subnet-${hexId(args.name)}` }),
        "aws:ec2/securityGroup:SecurityGroup": args => ({ id: `sg-${hexId(args.name)}` }),
        "aws:ec2/eip:Eip": args => {
            const h = parseInt(hexId(args.name, 4), 16);
            return { id: `eipalloc-${hexId(args.name)}`, allocationId: `eipalloc-${hexId(args.name)}`, publicIp: `13.200.${(h >> 8) % 256}.${h % 256}` };
        },
        "aws:ec2/natGateway:NatGateway": args => ({ id: `nat-${hexId(args.name)}` }),
        "aws:ec2/launchTemplate:LaunchTemplate": args => ({ id: `lt-${hexId(args.name)}`, latestVersion: 1, defaultVersion: 1 }),
        "aws:cloudwatch/logGroup:LogGroup": args => {
            const name = str(args.inputs.name, args.name);
            return { name, arn: `arn:aws:logs:${region}:${accountId}:log-group:${name}` };
        },
        "aws:rds/instance:Instance": args => {
            const identifier = str(args.inputs.identifier, args.name);
            const address = `${identifier}.c1a2b3c4d5e6.${region}.rds.amazonaws.com`;
            return { identifier, address, endpoint: `${address}:5432`, arn: `arn:aws:rds:${region}:${accountId}:db:${identifier}` };
        },
        "aws:rds/subnetGroup:SubnetGroup": args => ({ name: str(args.inputs.name, `${args.name}-${hexId(args.name, 7)}`) }),
        "aws:rds/parameterGroup:ParameterGroup": args => ({ name: str(args.inputs.name, `${args.name}-${hexId(args.name, 7)}`) }),
        "aws:elasticache/subnetGroup:SubnetGroup": args => ({ name: str(args.inputs.name, `${args.name}-${hexId(args.name, 7)}`) }),
        "aws:elasticache/replicationGroup:ReplicationGroup": args => {
            const id = str(args.inputs.replicationGroupId, args.name);
            return {
                primaryEndpointAddress: `master.${id}.abc123.aps1.cache.amazonaws.com`,
                readerEndpointAddress: `replica.${id}.abc123.aps1.cache.amazonaws.com`,
                arn: `arn:aws:elasticache:${region}:${accountId}:replicationgroup:${id}`,
                memberClusters: Array.from({ length: Number(args.inputs.numCacheClusters ?? 1) }, (_, i) => `${id}-00${i + 1}`),
            };
        },
        "aws:s3/bucket:Bucket": args => {
            const bucket = str(args.inputs.bucket, `${args.name}-${hexId(args.name, 7)}`);
            return {
                id: bucket,
                bucket,
                arn: `arn:aws:s3:::${bucket}`,
                bucketDomainName: `${bucket}.s3.amazonaws.com`,
                bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
            };
        },
        "aws:cloudfront/distribution:Distribution": args => {
            const id = `E${hexId(args.name, 13).toUpperCase()}`;
            return { id, arn: `arn:aws:cloudfront::${accountId}:distribution/${id}`, domainName: `d${hexId(args.name, 13)}.cloudfront.net`, hostedZoneId: "Z2FDTNDATAQYW2" };
        },
        "aws:cloudfront/originAccessControl:OriginAccessControl": args => ({ id: `E${hexId(args.name, 13).toUpperCase()}` }),
        "aws:route53/zone:Zone": args => {
            const zoneId = `Z${hexId(args.name, 20).toUpperCase()}`;
            return {
                id: zoneId,
                zoneId,
                arn: `arn:aws:route53:::hostedzone/${zoneId}`,
                nameServers: ["ns-101.awsdns-12.com", "ns-1201.awsdns-22.org", "ns-601.awsdns-07.net", "ns-1801.awsdns-33.co.uk"],
            };
        },
        "aws:route53/record:Record": args => ({ fqdn: String(args.inputs.name).replace(/\.$/, "") }),
        "aws:acm/certificate:Certificate": args => {
            const domainName = String(args.inputs.domainName);
            return {
                arn: `arn:aws:acm:us-east-1:${accountId}:certificate/${hexId(args.name, 8)}-0000-4000-8000-${hexId(`${args.name}c`, 12)}`,
                domainValidationOptions: [{
                    domainName,
                    resourceRecordName: `_${hexId(args.name, 32)}.${domainName}.`,
                    resourceRecordType: "CNAME",
                    resourceRecordValue: `_${hexId(`${args.name}v`, 32)}.acm-validations.aws.`,
                }],
            };
        },
        "aws:secretsmanager/secret:Secret": args => {
            const name = str(args.inputs.name, args.name);
            return { arn: `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-AbCdEf` };
        },
    },
    calls: {
        "aws:index/getCallerIdentity:getCallerIdentity": () => ({
            accountId,
            arn: `arn:aws:iam::${accountId}:user/offline`,
            userId: "AIDAOFFLINE",
            id: accountId,
        }),
    },
};
