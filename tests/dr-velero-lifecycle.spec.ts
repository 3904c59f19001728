/**
 * The AWS backups bucket bounds what Velero leaves behind (issue 21): Velero deletes an expired
 * backup, which in the versioned bucket only hides its objects behind delete markers, so the
 * noncurrent versions under Velero's prefix expire as a replaced dump's do, once the Object Lock
 * lets them go, and the markers are cleaned up after them.
 */
import { expect } from "chai";
import { veleroLifecycleRule, veleroPrefix } from "../components/aws/storage";
import { RecordedResource } from "../offline/engine";
import { ofType, plan, present } from "./harness";

describe("dr: Velero's noncurrent versions on the AWS backups bucket", () => {
    let rs: readonly RecordedResource[];
    before(async () => {
        rs = (await plan("production", "aws")).evaluation.resources;
    });

    it("expires noncurrent versions under the prefix Velero's BackupStorageLocation writes, and their delete markers", () => {
        const rules = present(ofType(rs, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").find(l => l.name.endsWith("-storage-backups-lifecycle")), "lifecycle").inputs.rules as any[];
        const velero = rules.filter(r => r.id === "velero");
        expect(velero).to.deep.equal([{
            id: "velero", status: "Enabled", filter: { prefix: "velero/" },
            noncurrentVersionExpiration: { noncurrentDays: 30 },
            expiration: { expiredObjectDeleteMarker: true },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        }]);
        const bsl = present(rs.find(r => r.type === "kubernetes:velero.io/v1:BackupStorageLocation"), "BackupStorageLocation");
        expect(`${(bsl.inputs.spec as any).objectStorage.prefix}/`).to.equal(veleroPrefix);
    });

    it("keeps them exactly as long as the Object Lock holds a version, and leaves the current ones to Velero", () => {
        const lock = present(ofType(rs, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")[0], "object lock");
        expect(veleroLifecycleRule.noncurrentVersionExpiration).to.deep.equal({ noncurrentDays: (lock.inputs.rule as any).defaultRetention.days });
        expect(veleroLifecycleRule.expiration).to.not.have.property("days");
        expect(veleroLifecycleRule.transitions).to.equal(undefined);
    });
});
