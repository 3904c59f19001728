/**
 * Whole-stack checks: every stack on every cloud evaluates through the real program and passes
 * the policy pack; the clouds are interchangeable behind the foundation; the migration gates the
 * fleet; development is production's shape at laptop size; broken variants fail the plan.
 */
import * as k8s from "@pulumi/kubernetes";
import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { capacityPolicyNames } from "../policies/preflight";
import { loadProgram, RecordedResource } from "../offline/engine";
import { PlanResult, planStack } from "../offline/plan";
import { markdownSummary, textSummary } from "../offline/report";
import { serviceNames } from "../services";
import { expectPolicyInputsUnchanged, plan } from "./harness";

const matrix: [string, string][] = [["staging", "aws"], ["production", "aws"], ["staging", "gcp"], ["production", "gcp"], ["development", "local"]];

const k8sShape = (rs: readonly RecordedResource[]) =>
    rs.filter(r => r.type.startsWith("kubernetes:") || r.type.startsWith("bookkeep:k8s:") || r.type.startsWith("bookkeep:fleet:"))
        .map(r => `${r.type} ${r.name}`).sort();

const underComponent = (rs: readonly RecordedResource[], type: string) => {
    const root = rs.find(r => r.type === type);
    const inside = new Set<string>(root ? [root.urn] : []);
    for (const r of rs) {
        if (r.parent && inside.has(r.parent)) {
            inside.add(r.urn);
        }
    }
    return rs.filter(r => inside.has(r.urn) && r.urn !== root?.urn);
};

describe("stacks", () => {
    for (const [stack, cloud] of matrix) {
        describe(`${stack} on ${cloud}`, () => {
            let result: PlanResult;
            before(async () => {
                result = await plan(stack, cloud);
            });

            it("passes the policy pack with no violation at all (but the capacity advisories issue 18 pins)", () => {
                expect(result.policies.violations.filter(v => !capacityPolicyNames.includes(v.policy)).map(v => `${v.policy} ${v.urn}: ${v.message}`)).to.deep.equal([]);
                expect(result.exitCode).to.equal(0);
                expect(result.policies.evaluated.length).to.be.at.least(40);
            });

            it("fits its pods at the HPA minimum (fleet-fits-at-hpa-minimum is mandatory on every stack)", () => {
                expect(result.policies.violations.filter(v => v.policy === "fleet-fits-at-hpa-minimum").map(v => v.message)).to.deep.equal([]);
            });

            it("leaves the inputs its policies share unchanged (no policy writes to its arguments)", () => {
                expectPolicyInputsUnchanged(result.evaluation.resources);
            });

            it("registers every service of the catalog with its objects", () => {
                const deployments = result.evaluation.resources.filter(r => r.type === "kubernetes:apps/v1:Deployment")
                    .map(r => (r.inputs.metadata as { name: string }).name);
                for (const name of serviceNames()) {
                    expect(deployments).to.include(`${name}-service`);
                }
            });

            it("gives every resource an explicit provider, as disable-default-providers demands of a real run", () => {
                const defaulted = result.evaluation.resources.filter(r => r.custom && !r.type.startsWith("pulumi:providers:") && r.provider === null);
                expect(defaulted.map(r => r.urn)).to.deep.equal([]);
            });

            it("puts every cloud resource on an explicit provider of its own cloud", () => {
                for (const r of result.evaluation.resources.filter(x => /^(aws|gcp|kubernetes):/.test(x.type) && x.custom)) {
                    const pkg = r.type.split(":")[0];
                    expect(r.provider, r.urn).to.match(new RegExp(`[:$]pulumi:providers:${pkg}::`));
                }
            });

            it("rolls the fleet out only after the migration Job", () => {
                const rs = result.evaluation.resources;
                const job = rs.find(r => r.type === "kubernetes:batch/v1:Job" && /^db-migration-/.test((r.inputs.metadata as { name: string }).name))!;
                expect(job, "migration job").to.not.equal(undefined);
                const fleetDeployments = underComponent(rs, "bookkeep:fleet:Fleet").filter(r => r.type === "kubernetes:apps/v1:Deployment");
                expect(fleetDeployments.length).to.be.at.least(serviceNames().length);
                for (const d of fleetDeployments) {
                    expect(d.dependsOn, d.name).to.include(job.urn);
                }
            });
        });
    }

    it("gives both clouds the same stack outputs", async () => {
        const [a, g, l] = await Promise.all([plan("production", "aws"), plan("production", "gcp"), plan("development", "local")]);
        const keys = (p: PlanResult) => Object.keys(p.evaluation.outputs).sort();
        expect(keys(a)).to.deep.equal(keys(g));
        expect(keys(l)).to.deep.equal(keys(a));
        expect(keys(a)).to.include.members(["kubeconfig", "apiUrl", "postgresHost", "redisHost", "documentsBucket", "backupsBucket", "services"]);
    });

    it("builds the Kubernetes layer and fleet identically on AWS and GCP, apart from identity wiring and ElastiCache's hourly snapshots", async () => {
        const [a, g] = await Promise.all([plan("production", "aws"), plan("production", "gcp")]);
        // Memorystore snapshots hourly by itself; ElastiCache needs the redis-snapshot CronJob.
        const snapshots = /^bookkeep-k8s-cache-snapshots/;
        expect(a.evaluation.resources.filter(r => snapshots.test(r.name)).map(r => `${r.type} ${r.name}`).sort()).to.deep.equal([
            "bookkeep:k8s:CloudCronJob bookkeep-k8s-cache-snapshots", "kubernetes:batch/v1:CronJob bookkeep-k8s-cache-snapshots",
            "kubernetes:core/v1:ServiceAccount bookkeep-k8s-cache-snapshots-sa", "kubernetes:networking.k8s.io/v1:NetworkPolicy bookkeep-k8s-cache-snapshots-netpol",
        ]);
        expect(g.evaluation.resources.filter(r => snapshots.test(r.name))).to.deep.equal([]);
        expect(k8sShape(a.evaluation.resources.filter(r => !/^bookkeep-aws/.test(r.name) && !snapshots.test(r.name))))
            .to.deep.equal(k8sShape(g.evaluation.resources.filter(r => !/^bookkeep-gcp/.test(r.name))));
        const sa = (p: PlanResult, name: string) => p.evaluation.resources.find(r =>
            r.type === "kubernetes:core/v1:ServiceAccount" && (r.inputs.metadata as { name: string }).name === name)!.inputs.metadata as { annotations: Record<string, string> };
        expect(Object.keys(sa(a, "db-backup").annotations)).to.deep.equal(["eks.amazonaws.com/role-arn"]);
        expect(Object.keys(sa(g, "db-backup").annotations)).to.deep.equal(["iam.gke.io/gcp-service-account"]);
    });

    it("wires each cloud's identity egress and API server addresses into the platform's NetworkPolicies", async () => {
        const [a, g] = await Promise.all([plan("production", "aws"), plan("production", "gcp")]);
        const egressOf = (p: PlanResult, name: string) => (p.evaluation.resources.find(r =>
            r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && (r.inputs.metadata as { name: string }).name === name)!.inputs.spec as any).egress;
        for (const np of ["cert-manager-controller", "db-backup"]) {
            expect(JSON.stringify(egressOf(g, np)), np).to.contain("169.254.169.254/32");
            expect(JSON.stringify(egressOf(a, np)), np).not.to.contain("169.254.169.254/32");
        }
        const apiServer = (...cidrs: string[]) => [{ to: cidrs.map(cidr => ({ ipBlock: { cidr } })), ports: [{ port: 443, protocol: "TCP" }, { port: 6443, protocol: "TCP" }] }];
        // The `kubernetes` Service ClusterIP (judged pre-DNAT), then the endpoints: EKS's ENIs in the private subnets, GKE's /28.
        expect(egressOf(a, "cert-manager-kube-api")).to.deep.equal(apiServer("172.20.0.1/32", "10.10.0.0/19", "10.10.32.0/19", "10.10.64.0/19"));
        expect(egressOf(g, "cert-manager-kube-api")).to.deep.equal(apiServer("10.104.0.1/32", "172.16.0.0/28"));
    });

    it("makes development the fleet of production in shape, at laptop size, with no cloud resources", async () => {
        const [p, d] = await Promise.all([plan("production", "aws"), plan("development", "local")]);
        const fleet = (r: PlanResult) => underComponent(r.evaluation.resources, "bookkeep:fleet:Fleet");
        // Production releases through Flagger (development does not): its Canaries and the scrape-only Service aside, the same objects.
        const withoutFlagger = (r: PlanResult) => fleet(r).filter(x => !/-flagger(-|$)/.test(x.name)).map(x => `${x.type} ${x.name.replace(/-metrics-svc$/, "-svc")}`).sort();
        // ...and the HTTPRoutes, which Flagger writes in production.
        expect(fleet(d).filter(r => !r.type.endsWith(":HTTPRoute")).map(r => `${r.type} ${r.name}`).sort()).to.deep.equal(withoutFlagger(p));
        const cloudy = d.evaluation.resources.filter(r => /^(aws|gcp):/.test(r.type) || /^pulumi:providers:(aws|gcp)$/.test(r.type));
        expect(cloudy).to.deep.equal([]);
        const hpa = (r: PlanResult) => fleet(r).filter(x => x.type === "kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
            .map(x => [(x.inputs.spec as any).minReplicas, (x.inputs.spec as any).maxReplicas]);
        expect(hpa(d).every(([min, max]) => min === 1 && max === 1)).to.equal(true);
        expect(hpa(p).every(([min, max]) => min === 2 && max === 10)).to.equal(true);
        // Same pod spec apart from sizing: strip resources and compare.
        const podSpecs = (r: PlanResult) => fleet(r).filter(x => x.type === "kubernetes:apps/v1:Deployment").map(x => {
            const spec = JSON.parse(JSON.stringify((x.inputs.spec as any).template.spec));
            spec.containers.forEach((c: any) => {
                delete c.resources;
                c.env = c.env.map((e: any) => (e.name === "OTEL_RESOURCE_ATTRIBUTES" ? { ...e, value: e.value.replace(/environment=\w+/, "environment=*") } : e));
            });
            return [x.name.replace(/^bookkeep-fleet-/, ""), spec];
        });
        expect(podSpecs(d)).to.deep.equal(podSpecs(p));
        const uploader = d.evaluation.resources.find(r => r.type === "kubernetes:core/v1:Secret" && (r.inputs.metadata as any).name === "bookkeep-object-store")!;
        expect((uploader.inputs.metadata as any).namespace).to.equal("bookkeep-development");
    });

    describe("broken variants make the plan fail", () => {
        const violationsOf = (r: PlanResult) => r.policies.violations.filter(v => v.enforcementLevel === "mandatory").map(v => `${v.policy} ${v.urn.split("::").pop()}`);

        it("a production database without deletion protection (from config)", async () => {
            // Config refuses it unless a reason is given; with one, the pack is the second line of defence.
            const r = await planStack({ stack: "production", overrides: {
                "bookkeep:database": { deletionProtection: false },
                "bookkeep:resilienceOverrides": { "database.deletionProtection": "a what-if: does the pack still catch it?" },
            } });
            expect(r.exitCode).to.equal(1);
            expect(violationsOf(r)).to.deep.equal(["rds-deletion-protection-production bookkeep-aws-database-postgres"]);
            // The override and its reason are in the plan for every reader.
            expect(r.plan.outputs.resilienceOverrides).to.deep.equal(["database.deletionProtection lowered: a what-if: does the pack still catch it?"]);
            expect(textSummary(r.plan, r.evaluation)).to.contain("RESILIENCE OVERRIDE: database.deletionProtection lowered: a what-if");
            expect(markdownSummary(r.plan, r.evaluation)).to.contain("- **resilience override**: database.deletionProtection lowered");
        });

        it("a Kubernetes API open to the world (from config) never gets as far as the pack", async () => {
            let message = "";
            await planStack({ stack: "production", cloud: "gcp", overrides: { "bookkeep:cluster": { apiAllowedCidrs: ["0.0.0.0/0"] } } })
                .catch((err: Error) => { message = err.message; });
            expect(message).to.contain("bookkeep:cluster.apiAllowedCidrs: must admit at most 65536 public addresses all together");
        });

        it("a region outside India, a privileged container and an unencrypted database added to the program", async () => {
            const r = await planStack({
                stack: "production",
                program: () => {
                    const outputs = loadProgram();
                    const rogue = new aws.Provider("rogue-us-west-2", { region: "us-west-2", defaultTags: { tags: { Environment: "production" } } });
                    new aws.rds.Instance("rogue-db", {
                        engine: "postgres", instanceClass: "db.t3.micro", allocatedStorage: 20, storageEncrypted: false,
                        username: "x", manageMasterUserPassword: true,
                    }, { provider: rogue });
                    const provider = new k8s.Provider("rogue-k8s", { kubeconfig: "apiVersion: v1\nkind: Config\n" });
                    new k8s.apps.v1.Deployment("rogue-privileged", {
                        metadata: { name: "debug", namespace: "bookkeep-production" },
                        spec: {
                            selector: { matchLabels: { app: "debug" } },
                            template: {
                                metadata: { labels: { app: "debug" } },
                                spec: { containers: [{ name: "debug", image: "busybox:1.37.0", securityContext: { privileged: true } }] },
                            },
                        },
                    }, { provider });
                    return outputs;
                },
            });
            expect(r.exitCode).to.equal(1);
            // The whole production program ran, and only the rogue resources fail.
            expect(r.evaluation.resources.length).to.be.greaterThan(200);
            const found = violationsOf(r);
            expect(found).to.include("aws-provider-region-india rogue-us-west-2");
            expect(found).to.include("rds-storage-encrypted rogue-db");
            expect(found).to.include("container-not-privileged rogue-privileged");
            expect(found.filter(v => !/ rogue-/.test(v))).to.deep.equal([]);
        });
    });
});
