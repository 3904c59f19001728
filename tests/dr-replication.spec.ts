/**
 * Issue 21 on AWS: the tenant documents are replicated to the second Indian region (ap-south-2),
 * into a hardened replica bucket with its own key there, by a role that can do only that.
 */
import { expect } from "chai";
import { RecordedResource } from "../offline/engine";
import { PlanResult } from "../offline/plan";
import { ofType, plan, reveal } from "./harness";

describe("dr: documents replicated to ap-south-2 (AWS production)", () => {
    let p: PlanResult;
    let res: RecordedResource[];
    const byUrn = (urn: string | null | undefined) => res.find(r => r.urn === urn);
    before(async () => {
        p = await plan("production", "aws");
        res = p.evaluation.resources;
    });

    it("creates the replica bucket and its key with the ap-south-2 provider, protected", () => {
        const replica = ofType(res, "aws:s3/bucket:Bucket").find(b => String(b.inputs.bucket).startsWith("bookkeep-production-documents-dr-"))!;
        expect(replica.inputs.bucket).to.equal("bookkeep-production-documents-dr-123456789012");
        expect(byUrn(replica.provider)?.inputs.region).to.equal("ap-south-2");
        expect(replica.protect).to.equal(true);
        const key = ofType(res, "aws:kms/key:Key").find(k => String(k.inputs.description).includes("documents (replica)"))!;
        expect(byUrn(key.provider)?.inputs.region).to.equal("ap-south-2");
        const versioning = ofType(res, "aws:s3/bucketVersioning:BucketVersioning").filter(v => v.name.includes("documents-dr"));
        expect(versioning.map(v => v.inputs.versioningConfiguration)).to.deep.equal([{ status: "Enabled" }]);
    });

    it("replicates every version and delete marker, SSE-KMS objects included, re-encrypted with the replica's key", () => {
        const [config, ...more] = ofType(res, "aws:s3/bucketReplicationConfig:BucketReplicationConfig");
        expect(more).to.have.length(0);
        expect(byUrn(config!.provider)?.inputs.region).to.equal("ap-south-1");
        const rule = (config!.inputs.rules as Record<string, any>[])[0]!;
        expect(rule).to.deep.include({ status: "Enabled", filter: {}, deleteMarkerReplication: { status: "Enabled" }, sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } } });
        expect(rule.destination.bucket).to.equal("arn:aws:s3:::bookkeep-production-documents-dr-123456789012");
        // The replica's own key (its provider is ap-south-2, above; the mocks write every ARN in ap-south-1).
        const replicaKey = ofType(res, "aws:kms/key:Key").find(k => String(k.inputs.description).includes("documents (replica)"))!;
        expect(rule.destination.encryptionConfiguration.replicaKmsKeyId).to.equal(replicaKey.rawState.arn);
        // After versioning exists on both sides (the two bucket components).
        const versioning = ofType(res, "aws:s3/bucketVersioning:BucketVersioning").filter(v => /storage-documents(-dr-bucket)?-versioning$/.test(v.name)).map(v => v.urn);
        expect(versioning).to.have.length(2);
        expect(config!.dependsOn).to.include.members(versioning);
    });

    it("runs as a role S3 alone assumes for this account, allowed to read the source's versions and write the replica only", () => {
        const role = ofType(res, "aws:iam/role:Role").find(r => r.name.includes("documents-dr"))!;
        const trust = JSON.parse(String(reveal(role.inputs.assumeRolePolicy)));
        expect(trust.Statement).to.deep.equal([{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }]);
        const policy = JSON.parse(String(ofType(res, "aws:iam/rolePolicy:RolePolicy").find(r => r.name.includes("documents-dr"))!.inputs.policy));
        const writes = policy.Statement.find((s: { Action: string[] }) => Array.isArray(s.Action) && s.Action.includes("s3:ReplicateObject"));
        expect(writes.Resource).to.equal("arn:aws:s3:::bookkeep-production-documents-dr-123456789012/*");
        expect(JSON.stringify(policy)).to.not.contain("\"*\"");
    });

    it("passes the residency policies, and staging (no ap-south-2) has no replica", async () => {
        expect(p.policies.violations.filter(v => v.enforcementLevel === "mandatory")).to.deep.equal([]);
        const staging = await plan("staging", "aws");
        expect(ofType(staging.evaluation.resources, "aws:s3/bucketReplicationConfig:BucketReplicationConfig")).to.have.length(0);
    });
});
