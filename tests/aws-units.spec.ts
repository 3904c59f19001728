/** Pure helpers of the AWS foundation: subnet layout, kubeconfig, AMI choice, lifecycle rules, the snapshot script. */
import { spawnSync } from "child_process";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { snapshotScript } from "../components/aws/cacheSnapshots";
import { amiTypeFor } from "../components/aws/cluster";
import { Database } from "../components/aws/database";
import { awsConfig } from "./configs";
import { eksKubeconfig } from "../components/aws/kubeconfig";
import { backupLifecycleRules } from "../components/aws/storage";
import { subnetLayout } from "../components/aws/subnets";
import { cidrContains, cidrsOverlap } from "../stacks/cidr";

const azs = ["ap-south-1a", "ap-south-1b", "ap-south-1c"];

function inputErrorMessage(fn: () => unknown): string {
    try {
        fn();
    } catch (err) {
        expect((err as Error).constructor.name).to.equal("InputPropertiesError");
        return (err as Error).message;
    }
    throw new Error("expected an input error");
}

describe("aws subnet layout", () => {
    it("carves a /16 into /24 public, /19 private and /24 data subnets per AZ", () => {
        const layout = subnetLayout("10.20.0.0/16", azs);
        expect(layout.public.map(s => s.cidr)).to.deep.equal(["10.20.96.0/24", "10.20.97.0/24", "10.20.98.0/24"]);
        expect(layout.private.map(s => s.cidr)).to.deep.equal(["10.20.0.0/19", "10.20.32.0/19", "10.20.64.0/19"]);
        expect(layout.data.map(s => s.cidr)).to.deep.equal(["10.20.112.0/24", "10.20.113.0/24", "10.20.114.0/24"]);
    });

    it("puts exactly one subnet of every tier in every AZ, tier labels matching", () => {
        const layout = subnetLayout("10.10.0.0/16", azs);
        for (const tier of ["public", "private", "data"] as const) {
            expect(layout[tier].map(s => s.availabilityZone)).to.deep.equal(azs);
            expect(layout[tier].every(s => s.tier === tier)).to.equal(true);
        }
    });

    for (const vpc of ["10.10.0.0/16", "172.16.0.0/17", "192.168.0.0/18", "10.0.32.0/19"]) {
        it(`keeps all nine subnets of ${vpc} inside the VPC and disjoint`, () => {
            const layout = subnetLayout(vpc, azs);
            const all = [...layout.public, ...layout.private, ...layout.data].map(s => s.cidr);
            expect(all).to.have.length(9);
            all.forEach(c => expect(cidrContains(vpc, c), `${c} in ${vpc}`).to.equal(true));
            all.forEach((a, i) => all.slice(i + 1).forEach(b => expect(cidrsOverlap(a, b), `${a} vs ${b}`).to.equal(false)));
        });
    }

    it("scales the prefixes with the VPC (a /19 gives /22 private and /27 public/data)", () => {
        const layout = subnetLayout("10.0.32.0/19", azs);
        expect(layout.private.map(s => s.cidr)).to.deep.equal(["10.0.32.0/22", "10.0.36.0/22", "10.0.40.0/22"]);
        expect(layout.public.map(s => s.cidr)).to.deep.equal(["10.0.44.0/27", "10.0.44.32/27", "10.0.44.64/27"]);
        expect(layout.data.map(s => s.cidr)).to.deep.equal(["10.0.46.0/27", "10.0.46.32/27", "10.0.46.64/27"]);
    });

    it("rejects a VPC too small or too large for the layout, naming the key", () => {
        expect(inputErrorMessage(() => subnetLayout("10.0.0.0/20", azs))).to.contain("bookkeep:aws.vpcCidr").and.contain("/16 to /19").and.contain("10.0.0.0/20");
        expect(inputErrorMessage(() => subnetLayout("10.0.0.0/8", azs))).to.contain("bookkeep:aws.vpcCidr");
        expect(inputErrorMessage(() => subnetLayout("10.0.0.1/16", azs))).to.contain("bookkeep:aws.vpcCidr");
    });

    it("rejects zero, four or repeated AZs, naming the key", () => {
        expect(inputErrorMessage(() => subnetLayout("10.0.0.0/16", []))).to.contain("bookkeep:aws.availabilityZones");
        expect(inputErrorMessage(() => subnetLayout("10.0.0.0/16", [...azs, "ap-south-1d"]))).to.contain("1 to 3 distinct zones");
        expect(inputErrorMessage(() => subnetLayout("10.0.0.0/16", ["ap-south-1a", "ap-south-1a"]))).to.contain("bookkeep:aws.availabilityZones");
    });
});

describe("aws helpers", () => {
    it("builds an exec kubeconfig that gets a token from aws eks get-token in the cluster's region", () => {
        const kc = JSON.parse(eksKubeconfig({ clusterName: "bookkeep-staging", endpoint: "https://x.eks", certificateAuthorityData: "Q0E=", region: "ap-south-1" }));
        expect(kc["current-context"]).to.equal("bookkeep-staging");
        expect(kc.clusters[0].cluster).to.deep.equal({ server: "https://x.eks", "certificate-authority-data": "Q0E=" });
        expect(kc.users[0].user.exec.command).to.equal("aws");
        expect(kc.users[0].user.exec.args).to.deep.equal(["eks", "get-token", "--cluster-name", "bookkeep-staging", "--region", "ap-south-1", "--output", "json"]);
        expect(kc.users[0].user.exec.interactiveMode).to.equal("Never");
        expect(JSON.stringify(kc)).not.to.contain("token\":");
    });

    it("refuses cross-region RDS backups without a provider for the (opt-in) DR region, before registering anything", () => {
        const database = awsConfig("production").database;
        expect(database.crossRegionBackups).to.equal(true);
        const message = inputErrorMessage(() => new Database("db", {
            prefix: "bookkeep-production", database, instanceClass: "db.r5.large", vpcId: "vpc-1", dataSubnetIds: [], clientSecurityGroupId: "sg-1",
            logsKeyArn: "arn", logRetentionDays: 7, provider: {} as never, randomProvider: {} as never,
        }));
        expect(message).to.contain("bookkeep:database.crossRegionBackups").and.contain("drProvider");
    });

    it("picks the ARM AMI only for Graviton instance families", () => {
        expect(amiTypeFor("t3.large")).to.equal("AL2023_x86_64_STANDARD");
        expect(amiTypeFor("m6i.xlarge")).to.equal("AL2023_x86_64_STANDARD");
        expect(amiTypeFor("g5.xlarge")).to.equal("AL2023_x86_64_STANDARD");
        expect(amiTypeFor("t4g.large")).to.equal("AL2023_ARM_64_STANDARD");
        expect(amiTypeFor("c7gn.large")).to.equal("AL2023_ARM_64_STANDARD");
    });

    it("tiers the backups bucket by the required schedule: daily expires, weekly to Glacier, monthly to Deep Archive", () => {
        const rules = backupLifecycleRules(35, 365, 2922) as any[];
        expect(rules.map(r => [r.id, r.filter.prefix, r.status])).to.deep.equal([
            ["daily", "daily/", "Enabled"], ["weekly", "weekly/", "Enabled"], ["monthly", "monthly/", "Enabled"],
        ]);
        expect(rules[0].expiration).to.deep.equal({ days: 35 });
        expect(rules[0].transitions).to.equal(undefined);
        expect(rules[1].transitions).to.deep.equal([{ days: 30, storageClass: "GLACIER" }]);
        expect(rules[1].expiration).to.deep.equal({ days: 365 });
        expect(rules[2].transitions).to.deep.equal([{ days: 30, storageClass: "DEEP_ARCHIVE" }]);
        expect(rules[2].expiration).to.deep.equal({ days: 2922 });
        rules.forEach(r => {
            expect(r.noncurrentVersionExpiration).to.deep.equal({ noncurrentDays: 30 });
            expect(r.abortIncompleteMultipartUpload).to.deep.equal({ daysAfterInitiation: 7 });
        });
    });
});

describe("hourly ElastiCache snapshot script", () => {
    const g = "bookkeep-production-redis";
    // Runs the script under /bin/sh with a fake `aws` on PATH that answers from a list of existing
    // snapshot names and logs every call; the clock is fixed by a fake `date`.
    function runScript(existing: string[], keep: number, listingFails = false, nodes = [`${g}-002`, `${g}-001`, `${g}-002`]): { calls: string[]; out: string; code: number | null } {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "snapshot-script-"));
        const log = path.join(dir, "calls");
        fs.writeFileSync(path.join(dir, "aws"), [
            "#!/bin/sh",
            `echo "$*" >> ${log}`,
            "case \"$*\" in",
            `  *"describe-snapshots --snapshot-name "*) name=$(echo "$*" | sed 's/.*--snapshot-name \\([^ ]*\\).*/\\1/'); printf '%s\\n' ${existing.join(" ")} | grep -qx "$name" && echo "$name" || { echo "not found" >&2; exit 255; } ;;`,
            `  *"describe-snapshots --snapshot-source user"*) ${listingFails ? "echo 'AccessDenied' >&2; exit 254" : `printf '%s\\t' ${existing.join(" ")}; echo`} ;;`,
            `  *describe-replication-groups*) printf '%s\\t' ${nodes.join(" ")}; echo ;;`,
            "  *create-snapshot*|*delete-snapshot*) echo ok ;;",
            "esac",
        ].join("\n"), { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "date"), "#!/bin/sh\necho 2026112809\n", { mode: 0o755 });
        const r = spawnSync("/bin/sh", ["-c", snapshotScript], {
            encoding: "utf8",
            env: { PATH: `${dir}:/usr/bin:/bin`, GROUP: g, KEEP: String(keep) },
        });
        const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
        fs.rmSync(dir, { recursive: true, force: true });
        return { calls, out: r.stdout + r.stderr, code: r.status };
    }

    it("takes no second snapshot in an hour that has one (a retry), and keeps the newest KEEP hourly snapshots of this group only", () => {
        const existing = [`${g}-hourly-2026112806`, `${g}-hourly-2026112807`, `${g}-hourly-2026112808`, "bookkeep-staging-redis-hourly-2026112801", `${g}-final-abc`];
        const r = runScript([...existing, `${g}-hourly-2026112809`], 2);
        expect(r.code, r.out).to.equal(0);
        // This hour's snapshot already exists (a retried job): no second create.
        expect(r.calls.filter(c => c.startsWith("elasticache create-snapshot"))).to.deep.equal([]);
        expect(r.calls.filter(c => c.startsWith("elasticache delete-snapshot")).map(c => c.split(" ")[3])).to.deep.equal([
            `${g}-hourly-2026112806`, `${g}-hourly-2026112807`,
        ]);
    });

    it("fails the job when the snapshots cannot be listed, deleting nothing", () => {
        const r = runScript([`${g}-hourly-2026112806`, `${g}-hourly-2026112807`], 1, true);
        expect(r.code).to.not.equal(0);
        expect(r.calls.filter(c => c.startsWith("elasticache delete-snapshot"))).to.deep.equal([]);
    });

    it("snapshots this hour from the group's replica, found when it runs", () => {
        const r = runScript([`${g}-hourly-2026112808`], 48);
        expect(r.code, r.out).to.equal(0);
        expect(r.calls.filter(c => c.startsWith("elasticache create-snapshot"))).to.deep.equal([
            `elasticache create-snapshot --cache-cluster-id ${g}-002 --snapshot-name ${g}-hourly-2026112809 --query Snapshot.SnapshotName --output text`,
        ]);
        expect(r.calls.filter(c => c.startsWith("elasticache delete-snapshot"))).to.deep.equal([]);
    });

    it("snapshots the one node of a group without replicas", () => {
        const r = runScript([], 24, false, [`${g}-001`]);
        expect(r.code, r.out).to.equal(0);
        expect(r.calls.filter(c => c.startsWith("elasticache create-snapshot"))).to.deep.equal([
            `elasticache create-snapshot --cache-cluster-id ${g}-001 --snapshot-name ${g}-hourly-2026112809 --query Snapshot.SnapshotName --output text`,
        ]);
    });
});
