/**
 * Velero (issue 21 item 2): its Schedules, its storage location (bucket, prefix, KMS), the Sealed
 * Secrets key in the daily backup, its workload identity on both clouds, its hardening; none on
 * laptops.
 */
import { expect } from "chai";
import { RecordedResource } from "../offline/engine";
import { ofType, plan, present } from "./harness";

const meta = (r: RecordedResource) => r.inputs.metadata as { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
const spec = (r: RecordedResource) => r.inputs.spec as Record<string, unknown>;
const named = (rs: readonly RecordedResource[], type: string, name: string) =>
    present(ofType(rs, type).find(r => meta(r).name === name), `${type} ${name}`);
const schedule = (rs: readonly RecordedResource[], name: string) =>
    spec(named(rs, "kubernetes:velero.io/v1:Schedule", name)) as { schedule: string; template: Record<string, unknown> };
const ttlHours = (ttl: unknown) => Number(/^(\d+)h0m0s$/.exec(String(ttl))?.[1]);

for (const cloud of ["aws", "gcp"] as const) {
    describe(`velero on production ${cloud}`, () => {
        let rs: readonly RecordedResource[];
        before(async () => {
            rs = (await plan("production", cloud)).evaluation.resources;
        });

        it("backs up every namespace weekly with CSI snapshots, kept at least 30 days", () => {
            const weekly = schedule(rs, "velero-weekly-full");
            expect(weekly.schedule).to.equal("0 10 * * 0");
            expect(weekly.template).to.deep.include({ includedNamespaces: ["*"], snapshotVolumes: true, defaultVolumesToFsBackup: false, storageLocation: "default" });
            expect(ttlHours(weekly.template.ttl)).to.be.at.least(30 * 24);
        });

        it("backs up the platform namespaces daily, the Sealed Secrets key with them", () => {
            const daily = schedule(rs, "velero-daily-platform");
            expect(daily.schedule).to.equal("30 12 * * *");
            expect(daily.template.includedNamespaces).to.deep.equal(["bookkeep-system", "bookkeep-monitoring", "bookkeep-nats"]);
            // The key is a Secret labelled sealedsecrets.bitnami.com/sealed-secrets-key in the
            // controller's namespace: that namespace is included and nothing filters Secrets out.
            const controller = named(rs, "kubernetes:apps/v1:Deployment", "sealed-secrets-controller");
            expect(daily.template.includedNamespaces).to.include(meta(controller).namespace);
            for (const narrowing of ["excludedResources", "excludedNamespaceScopedResources", "includedResources", "includedNamespaceScopedResources", "labelSelector", "orLabelSelectors"]) {
                expect(daily.template, narrowing).to.not.have.property(narrowing);
            }
            expect(daily.template.snapshotVolumes).to.equal(true);
        });

        it("stores backups under velero/ in the backups bucket, encrypted with the backups key", () => {
            const bsl = spec(named(rs, "kubernetes:velero.io/v1:BackupStorageLocation", "default")) as {
                provider: string; default: boolean; objectStorage: { bucket: string; prefix: string }; config?: Record<string, string>;
            };
            expect(bsl.provider).to.equal(cloud);
            expect(bsl.default).to.equal(true);
            expect(bsl.objectStorage.prefix).to.equal("velero");
            if (cloud === "aws") {
                const bucket = ofType(rs, "aws:s3/bucket:Bucket").find(b => String(b.inputs.bucket).includes("-backups-"));
                expect(bsl.objectStorage.bucket).to.equal(present(bucket, "backups bucket").inputs.bucket);
                expect(bsl.config?.region).to.equal("ap-south-1");
                // The BSL names the very key the backups bucket's default encryption uses.
                const sse = ofType(rs, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
                    .find(e => JSON.stringify(e.inputs).includes("aws:kms") && e.name.includes("backups") && !e.name.includes("dr"));
                expect(JSON.stringify(present(sse, "backups SSE").inputs)).to.contain(present(bsl.config?.kmsKeyId, "kmsKeyId"));
            } else {
                const bucket = present(ofType(rs, "gcp:storage/bucket:Bucket").find(b => b.inputs.customPlacementConfig !== undefined), "dual-region backups bucket");
                expect(bsl.objectStorage.bucket).to.equal(bucket.inputs.name);
                expect(String(bucket.inputs.name)).to.match(/-backups-in$/);
                expect(bucket.inputs.encryption).to.have.property("defaultKmsKeyName");
                // Under Workload Identity the GCS plugin's Init fails without the account it signs as.
                expect(bsl.config).to.deep.equal({ serviceAccount: "bk-production-velero@bookkeep-production.iam.gserviceaccount.com" });
            }
        });

        it("snapshots volumes through the cloud's CSI driver, and keeps the snapshot when the cluster goes", () => {
            const vsc = named(rs, "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass", "velero-csi");
            expect(meta(vsc).labels).to.deep.equal({ "velero.io/csi-volumesnapshot-class": "true" });
            expect(vsc.inputs.driver).to.equal(cloud === "aws" ? "ebs.csi.aws.com" : "pd.csi.storage.gke.io");
            expect(vsc.inputs.deletionPolicy).to.equal("Retain");
            const deployment = named(rs, "kubernetes:apps/v1:Deployment", "velero");
            const args = (spec(deployment).template as { spec: { containers: { args: string[] }[] } }).spec.containers[0]!.args;
            expect(args).to.include("--features=EnableCSI");
            expect(ofType(rs, "kubernetes:apps/v1:DaemonSet").map(d => meta(d).name)).to.not.include("node-agent");
            expect(ofType(rs, "kubernetes:velero.io/v1:VolumeSnapshotLocation")).to.deep.equal([]);
            if (cloud === "aws") {
                const addon = present(ofType(rs, "aws:eks/addon:Addon").find(a => a.inputs.addonName === "snapshot-controller"), "snapshot-controller add-on");
                expect(vsc.dependsOn).to.include(addon.urn);
            }
        });

        it("runs restricted: server and plugin init container, with the cloud's pinned plugin", () => {
            const pod = (spec(named(rs, "kubernetes:apps/v1:Deployment", "velero")).template as { spec: Record<string, unknown> }).spec as {
                securityContext: Record<string, unknown>; serviceAccountName: string;
                containers: { securityContext: Record<string, unknown> }[]; initContainers: { name: string; image: string; securityContext: Record<string, unknown> }[];
            };
            expect(pod.securityContext).to.deep.include({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
            expect(pod.serviceAccountName).to.equal("velero");
            expect(pod.initContainers.map(c => [c.name, c.image])).to.deep.equal([[`velero-plugin-for-${cloud}`, `velero/velero-plugin-for-${cloud}:v1.14.2`]]);
            for (const c of [...pod.containers, ...pod.initContainers]) {
                expect(c.securityContext).to.deep.include({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
            }
        });

        it("reaches only DNS, the API server, the cloud over 443 and, for scraping, Prometheus", () => {
            const np = spec(named(rs, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "velero")) as {
                podSelector: unknown; ingress: { ports: { port: number }[] }[]; egress: { ports: { port: number }[] }[];
            };
            expect(np.podSelector).to.deep.equal({ matchLabels: { "app.kubernetes.io/name": "velero" } });
            expect(np.ingress.flatMap(r => r.ports.map(p => p.port))).to.deep.equal([8085]);
            const ports = np.egress.map(r => r.ports.map(p => p.port).join(","));
            expect(ports).to.include.members(["53,53", "443,6443", "443"]);
        });

        it("pages when a Schedule's backup fails or none succeeds within its interval", () => {
            const rules = named(rs, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "bookkeep-velero-alerts");
            const list = (spec(rules).groups as { rules: { alert: string; expr: string; labels: Record<string, string> }[] }[])[0]!.rules;
            expect(list.map(r => `${r.alert} ${r.labels.schedule}`)).to.deep.equal([
                "VeleroBackupFailed velero-weekly-full", "VeleroBackupNotOnSchedule velero-weekly-full",
                "VeleroBackupFailed velero-daily-platform", "VeleroBackupNotOnSchedule velero-daily-platform",
            ]);
            expect(list[0]!.expr).to.contain('velero_backup_failure_total{schedule="velero-weekly-full"}');
            // The weekly gap (7 d) plus an hour's grace.
            expect(list[1]!.expr).to.contain('time() - (velero_backup_last_successful_timestamp{schedule="velero-weekly-full"} > 0) > 608400');
            expect(list[3]!.expr).to.contain("> 90000");
            expect(list.every(r => r.labels.severity === "critical")).to.equal(true);
            expect(ofType(rs, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor").map(meta).filter(m => m.name === "velero")).to.have.length(1);
        });
    });
}

describe("velero identity", () => {
    it("AWS: an IRSA role for bookkeep-system/velero with S3 under velero/ and the backups key, bound on the ServiceAccount", async () => {
        const rs = (await plan("production", "aws")).evaluation.resources;
        const role = present(ofType(rs, "aws:iam/role:Role").find(r => r.name === "bookkeep-aws-identity-velero-role"), "velero role");
        expect(String(role.inputs.assumeRolePolicy)).to.contain("system:serviceaccount:bookkeep-system:velero");
        const policy = JSON.parse(String(present(ofType(rs, "aws:iam/rolePolicy:RolePolicy").find(r => r.name === "bookkeep-aws-identity-velero-policy"), "velero policy").inputs.policy)) as {
            Statement: { Sid: string; Action: string | string[]; Resource: string; Condition?: unknown }[];
        };
        const bySid = Object.fromEntries(policy.Statement.map(s => [s.Sid, s]));
        expect(bySid.VeleroObjects!.Resource).to.match(/^arn:aws:s3:::bookkeep-production-backups-\d+\/velero\/\*$/);
        expect(bySid.VeleroObjects!.Action).to.include.members(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]);
        expect(bySid.VeleroList!.Condition).to.deep.equal({ StringLike: { "s3:prefix": ["velero/*", "velero/"] } });
        expect(bySid.VeleroKey!.Resource).to.match(/^arn:aws:kms:ap-south-1:/);
        expect(JSON.stringify(policy)).to.not.contain("ec2:");
        const sa = named(rs, "kubernetes:core/v1:ServiceAccount", "velero");
        expect(meta(sa).namespace).to.equal("bookkeep-system");
        expect(meta(sa).annotations?.["eks.amazonaws.com/role-arn"]).to.match(/role\/bookkeep-aws-identity-velero-role/);
    });

    it("GCP: a service account impersonable only by bookkeep-system/velero, object admin on the backups bucket, after the cluster", async () => {
        const rs = (await plan("production", "gcp")).evaluation.resources;
        const gsa = present(ofType(rs, "gcp:serviceaccount/account:Account").find(a => a.inputs.accountId === "bk-production-velero"), "velero GSA");
        const wi = present(ofType(rs, "gcp:serviceaccount/iAMMember:IAMMember").find(m => m.name.endsWith("-velero-wi")), "WI binding");
        expect(wi.inputs.role).to.equal("roles/iam.workloadIdentityUser");
        expect(String(wi.inputs.member)).to.match(/\.svc\.id\.goog\[bookkeep-system\/velero\]$/);
        const cluster = present(ofType(rs, "gcp:container/cluster:Cluster")[0], "GKE cluster");
        expect(wi.dependsOn).to.include(cluster.urn);
        const objects = present(ofType(rs, "gcp:storage/bucketIAMMember:BucketIAMMember").find(m => m.name.endsWith("-velero-objects")), "bucket grant");
        expect(objects.inputs.role).to.equal("roles/storage.objectAdmin");
        expect(String(objects.inputs.bucket)).to.match(/-backups-in$/);
        expect(objects.inputs.member).to.equal(`serviceAccount:${gsa.inputs.accountId}@bookkeep-production.iam.gserviceaccount.com`);
        const sa = named(rs, "kubernetes:core/v1:ServiceAccount", "velero");
        expect(meta(sa).annotations?.["iam.gke.io/gcp-service-account"]).to.equal("bk-production-velero@bookkeep-production.iam.gserviceaccount.com");
    });
});

describe("velero on development", () => {
    it("is not installed: a laptop cluster is rebuilt from code and its in-cluster stores are disposable", async () => {
        const rs = (await plan("development")).evaluation.resources;
        expect(ofType(rs, "kubernetes:velero.io/v1:Schedule")).to.deep.equal([]);
        expect(rs.filter(r => r.type === "kubernetes:helm.sh/v4:Chart" && String(r.inputs.chart).includes("velero"))).to.deep.equal([]);
    });
});
