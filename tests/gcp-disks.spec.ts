/**
 * GCP disks against the regional SSD quota, and their encryption: counted from what the plan
 * registers (node pools, the platform charts' volumes), checked against what the stack states
 * (regionalSsdGb) and what the preflight's SSD_TOTAL_GB row and bootstrap checklist ask for.
 */
import { expect } from "chai";
import { gcpBootstrapSteps } from "../components/gcp/bootstrap";
import { Preflight } from "../offline/preflight";
import { nodeBootDiskGb, storageClassName } from "../components/gcp/cluster";
import { defaultSsdQuotaGb, regionalSsdGb } from "../components/gcp/quota";
import { RecordedResource } from "../offline/engine";
import { gcpConfig } from "./configs";
import { ofType, plan, present, reveal } from "./harness";

type Values = Record<string, any>;

const gi = (size: string): number => {
    const m = /^(\d+)Gi$/.exec(size);
    if (!m) {
        throw new Error(`not a Gi size: ${size}`);
    }
    return Number(m[1]);
};

/** Every place in a chart's values that names a StorageClass. */
function storageClassNames(values: unknown, out: string[] = []): string[] {
    if (values !== null && typeof values === "object") {
        for (const [k, v] of Object.entries(values)) {
            if (k === "storageClassName") {
                out.push(String(v));
            }
            storageClassNames(v, out);
        }
    }
    return out;
}

/** Replicas times claim size of the platform's stateful charts, by chart. */
function chartVolumesGb(res: readonly RecordedResource[]): Record<string, number> {
    const values = (chart: string): Values => reveal(ofType(res, "kubernetes:helm.sh/v4:Chart").find(r => new RegExp(`^\\./charts/${chart}-v?\\d`).test(String(r.inputs.chart)))!.inputs.values) as Values;
    const es = reveal(ofType(res, "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch")[0]!.inputs.spec) as Values;
    const prometheus = values("kube-prometheus-stack").prometheus.prometheusSpec;
    const nats = values("nats").config;
    const tempo = values("tempo");
    return {
        elasticsearch: (es.nodeSets as Values[]).reduce((n, set) => n + set.count * gi(set.volumeClaimTemplates[0].spec.resources.requests.storage), 0),
        prometheus: prometheus.replicas * gi(prometheus.storageSpec.volumeClaimTemplate.spec.resources.requests.storage),
        nats: (nats.cluster?.enabled ? nats.cluster.replicas : 1) * gi(nats.jetstream.fileStore.pvc.size),
        tempo: tempo.replicas * gi(tempo.persistence.size),
    };
}

for (const stack of ["staging", "production"] as const) {
    describe(`gcp disks, quota and CMEK (${stack})`, () => {
        const config = gcpConfig(stack);
        let res: RecordedResource[];
        let preflight: Preflight;
        const only = (type: string) => {
            const found = ofType(res, type);
            expect(found.length, type).to.equal(1);
            return found[0]!.inputs as Values;
        };

        before(async () => {
            const r = await plan(stack, "gcp");
            res = r.evaluation.resources;
            preflight = r.plan.preflight!;
        });

        it("uses the SSD quota the stack states, counted from the node pool and the charts' volumes", () => {
            const pool = only("gcp:container/nodePool:NodePool");
            expect(pool.nodeConfig).to.include({ diskType: "pd-balanced", diskSizeGb: nodeBootDiskGb });
            expect(nodeBootDiskGb).to.equal(50);
            // The temporary default pool is on standard disks, outside the SSD quota.
            expect(only("gcp:container/cluster:Cluster").nodeConfig).to.include({ diskType: "pd-standard", diskSizeGb: 30 });
            const nodes = pool.autoscaling.totalMaxNodeCount + pool.upgradeSettings.maxSurge;
            const volumes = Object.values(chartVolumesGb(res)).reduce((a, b) => a + b, 0);
            const counted = nodes * pool.nodeConfig.diskSizeGb + volumes;
            expect(counted).to.equal(regionalSsdGb({ environment: config.environment, maxNodes: config.cluster.maxNodes }));
            expect(counted).to.equal(stack === "production" ? 11 * 50 + 480 : 6 * 50 + 65);
            // One rule, two readings: the preflight counts the plan, regionalSsdGb the config; they must agree.
            const row = preflight.quotas.find(q => q.key === "ssdTotalGb")!;
            expect(row).to.include({ usedAtMaximum: counted, limit: defaultSsdQuotaGb.usual, exceeded: stack === "production" });
            const steps = preflight.bootstrap.filter(s => s.id === "quota-ssdTotalGb");
            if (stack === "staging") {
                // Staging fits the quota a new project usually gets.
                expect(counted).to.be.at.most(defaultSsdQuotaGb.usual);
                expect(steps).to.deep.equal([]);
            } else {
                expect(present(steps[0], "the quota step").text).to.contain(`to at least ${counted} GB`);
            }
        });

        it("puts every platform volume on the CMEK class, and every node's boot disk under the disks key", () => {
            const charts = ofType(res, "kubernetes:helm.sh/v4:Chart").flatMap(r => storageClassNames(reveal(r.inputs.values)));
            // Prometheus, NATS and Tempo.
            expect(charts).to.deep.equal([storageClassName, storageClassName, storageClassName]);
            const elasticsearch = ofType(res, "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch").flatMap(r => storageClassNames(reveal(r.inputs.spec)));
            expect(elasticsearch).to.deep.equal([storageClassName]);
            const disksKey = ofType(res, "gcp:kms/cryptoKey:CryptoKey").find(k => k.name.endsWith("-kms-disks"))!;
            const keyId = `${disksKey.inputs.keyRing}/cryptoKeys/${disksKey.name}`;
            expect(only("kubernetes:storage.k8s.io/v1:StorageClass")).to.deep.equal({
                apiVersion: "storage.k8s.io/v1",
                kind: "StorageClass",
                metadata: { name: "premium-rwo-cmek" },
                provisioner: "pd.csi.storage.gke.io",
                parameters: { type: "pd-ssd", "disk-encryption-kms-key": keyId },
                volumeBindingMode: "WaitForFirstConsumer",
                allowVolumeExpansion: true,
                reclaimPolicy: stack === "production" ? "Retain" : "Delete",
            });
            expect(only("gcp:container/nodePool:NodePool").nodeConfig.bootDiskKmsKey).to.equal(keyId);
            expect(only("gcp:container/cluster:Cluster").nodeConfig.bootDiskKmsKey).to.equal(keyId);
            const grants = ofType(res, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").filter(g => g.inputs.cryptoKeyId === keyId);
            expect(grants.map(g => g.inputs)).to.deep.equal([{
                cryptoKeyId: keyId, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
                member: "serviceAccount:service-123456789012@compute-system.iam.gserviceaccount.com",
            }]);
            for (const type of ["gcp:container/cluster:Cluster", "gcp:container/nodePool:NodePool"]) {
                expect(present(ofType(res, type)[0], type).dependsOn, type).to.include(grants[0]!.urn);
            }
        });

        it("prints one checklist: the plan's steps, then the config-only ones (CDN fill, gcloud for destroy), the delegation where this domain's parent lives", () => {
            expect(gcpBootstrapSteps(config).map(s => [s.id, s.when])).to.deep.equal([["cdn-unsigned-fill", "after-first-up"], ["destroy-gcloud", "before-destroy"]]);
            const steps = preflight.bootstrap;
            expect(steps.map(s => s.id)).to.deep.equal([
                `apis-${config.gcp.project}`, ...(stack === "production" ? ["quota-ssdTotalGb"] : []), "cloudflare-account", `delegate-${config.domain}`, "cluster-api-path", "cdn-unsigned-fill", "destroy-gcloud",
            ]);
            const delegate = steps.find(s => s.id === `delegate-${config.domain}`)!;
            // The Cloudflare edge holds the domain (docs/edge.md): delegated to it, Cloud DNS's zone not at all.
            expect(delegate.text).to.contain(stack === "production" ? "at the registrar of bookkeep.app" : "in the parent zone bookkeep.app (Cloudflare)").and.contain("Delegate " + config.domain + " to Cloudflare");
            expect(steps.find(s => s.id === "cdn-unsigned-fill")!.command).to.equal(`curl -sI https://cdn.${config.domain}/<object>`);
            expect(steps.find(s => s.id === "destroy-gcloud")!.text).to.contain("compute.networks.removePeering").and.contain(config.gcp.project);
        });
    });
}
