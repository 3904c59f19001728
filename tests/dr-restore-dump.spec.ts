/**
 * `bookkeep:database.restore: { from: dump, object }` (issue 21): a new, empty database the stack
 * then owns, loaded by a Job that runs as the backup CronJobs do (their ServiceAccount, images and
 * NetworkPolicy), after the app Secret and before the migration; the backup identity may read that
 * one dump and nothing else. Without the config there is no such Job and no read right.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { awsCliImage } from "../components/aws/foundation";
import { dumpScript, pgDumpImage } from "../components/k8s/backups";
import { checkEmptyScript, loadScript } from "../components/k8s/restoreJob";
import { RecordedResource } from "../offline/engine";
import { PlanResult } from "../offline/plan";
import { expectInputError, ofType, plan, present, reveal } from "./harness";

const dump = { id: "d20261205", from: "dump", object: "daily/bookkeep-20261204.sql.gz" };
const jobType = "kubernetes:batch/v1:Job";
const meta = (r: RecordedResource) => r.inputs.metadata as { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
const podSpec = (r: RecordedResource) => (r.inputs.spec as any).template.spec;
const job = (p: PlanResult, prefix: string) => present(ofType(p.evaluation.resources, jobType).find(j => meta(j).name.startsWith(prefix)), prefix);
const policyOf = (p: PlanResult, name: string) => JSON.parse(String(reveal(present(p.evaluation.resources.find(r => r.name === name), name).inputs.policy)));

describe("dr: restore a dump into the stack", function () {
    describe("AWS production", () => {
        let p: PlanResult;
        let restore: RecordedResource;
        before(async () => {
            p = await plan("production", "aws", { "bookkeep:database": { restore: dump } });
            restore = job(p, "db-restore-");
        });

        it("plans clean", () => {
            expect(p.policies.violations.filter(v => v.enforcementLevel === "mandatory")).to.deep.equal([]);
            expect(p.exitCode).to.equal(0);
        });

        it("creates a new, empty database the stack owns, beside the original (protected, retained)", () => {
            const instances = ofType(p.evaluation.resources, "aws:rds/instance:Instance");
            expect(instances.map(i => [i.inputs.identifier, i.inputs.dbName, i.inputs.username, i.protect, i.retainOnDelete]).sort()).to.deep.equal([
                ["bookkeep-production-postgres", "bookkeep", "bookkeep", true, true],
                ["bookkeep-production-postgres-d20261205", "bookkeep", "bookkeep", true, false],
            ]);
            const restored = instances.find(i => i.name.endsWith("-d20261205"))!;
            expect([restored.inputs.snapshotIdentifier, restored.inputs.restoreToPointInTime]).to.deep.equal([undefined, undefined]);
        });

        it("runs as the backup CronJobs: their ServiceAccount, NetworkPolicy selector, images, no API token, restricted", () => {
            const cron = present(ofType(p.evaluation.resources, "kubernetes:batch/v1:CronJob").find(c => meta(c).name === "db-backup"), "db-backup");
            const cronPod = (cron.inputs.spec as any).jobTemplate.spec.template.spec;
            const pod = podSpec(restore);
            expect(meta(restore)).to.deep.include({ name: "db-restore-d20261205", namespace: "bookkeep-production" });
            expect(pod.serviceAccountName).to.equal(cronPod.serviceAccountName);
            expect(pod.automountServiceAccountToken).to.equal(false);
            expect((restore.inputs.spec as any).template.metadata.labels["app.kubernetes.io/name"]).to.equal("db-backup");
            expect(pod.securityContext).to.deep.equal(cronPod.securityContext);
            expect([...pod.initContainers, ...pod.containers].map((c: any) => [c.name, c.image])).to.deep.equal([
                ["check-empty", pgDumpImage], ["download", awsCliImage], ["load", pgDumpImage],
            ]);
            for (const c of [...pod.initContainers, ...pod.containers]) {
                expect(c.securityContext, c.name).to.deep.equal(cronPod.initContainers[0].securityContext);
            }
        });

        it("fetches the named dump from the backups bucket and takes the owner's URL only by Secret reference", () => {
            const pod = podSpec(restore);
            const bucket = String(present(ofType(p.evaluation.resources, "aws:s3/bucket:Bucket").find(b => String(b.inputs.bucket).includes("-backups-")), "backups").inputs.bucket);
            expect(String(reveal(pod.initContainers[1].command[2]))).to.contain(`aws s3 cp s3://${bucket}/daily/bookkeep-20261204.sql.gz /restore/dump.sql.gz`);
            for (const c of [pod.initContainers[0], pod.containers[0]]) {
                expect(c.env.find((e: any) => e.name === "DATABASE_URL")).to.deep.equal({ name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "bookkeeping-secrets", key: "database-owner-url" } } });
            }
            expect(JSON.stringify(reveal(restore.inputs))).to.not.match(/postgres(ql)?:\/\//);
        });

        it("runs after the app Secret and before the migration (and so the fleet); no hook annotations", () => {
            const secret = present(p.evaluation.resources.find(r => r.type === "kubernetes:core/v1:Secret" && meta(r).name === "bookkeeping-secrets"), "secret");
            expect(restore.dependsOn).to.include(secret.urn);
            expect(job(p, "db-migration-").dependsOn).to.include(restore.urn);
            expect(Object.keys(meta(restore).annotations ?? {}).filter(k => k.startsWith("helm.sh/"))).to.deep.equal([]);
        });

        it("lets the backup identity read that one dump, and nothing else", () => {
            const statements = policyOf(p, "bookkeep-aws-identity-backup-policy").Statement as any[];
            const bucket = String(present(ofType(p.evaluation.resources, "aws:s3/bucket:Bucket").find(b => String(b.inputs.bucket).includes("-backups-")), "backups").inputs.bucket);
            expect(statements.filter(s => [s.Action].flat().some((a: string) => a.startsWith("s3:Get")))).to.deep.equal([
                { Sid: "ReadTheRestoreDump", Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/daily/bookkeep-20261204.sql.gz` },
            ]);
        });
    });

    it("without a dump restore: no restore Job, the migration waits for none, the backup identity reads nothing", async () => {
        const p = await plan("production", "aws");
        expect(ofType(p.evaluation.resources, jobType).filter(j => meta(j).name.startsWith("db-restore"))).to.deep.equal([]);
        expect(job(p, "db-migration-").dependsOn.filter(u => u.includes("restore"))).to.deep.equal([]);
        const statements = policyOf(p, "bookkeep-aws-identity-backup-policy").Statement as any[];
        expect(statements.map(s => s.Sid)).to.deep.equal(["WriteBackups", "EncryptBackups"]);
        const pitr = await plan("production", "aws", { "bookkeep:database": { restore: { id: "r1", from: "pointInTime", sourceInstance: "bookkeep-production-postgres", time: "2026-12-05T03:15:00Z" } } });
        expect(ofType(pitr.evaluation.resources, jobType).filter(j => meta(j).name.startsWith("db-restore"))).to.deep.equal([]);
    });

    it("GCP staging: an empty instance with the stack's database and user, the dump read over the JSON API under a grant on that object only", async () => {
        const p = await plan("staging", "gcp", { "bookkeep:database": { restore: { ...dump, object: "weekly/bookkeep-20261129.sql.gz", original: "release" } } });
        expect(p.exitCode).to.equal(0);
        const instances = ofType(p.evaluation.resources, "gcp:sql/databaseInstance:DatabaseInstance");
        expect(instances.map(i => [i.name, i.inputs.clone, i.inputs.restoreBackupContext])).to.deep.equal([["bookkeep-gcp-sql-d20261205", undefined, undefined]]);
        expect(ofType(p.evaluation.resources, "gcp:sql/database:Database").map(d => d.name)).to.deep.equal(["bookkeep-gcp-sql-d20261205-db"]);
        expect(ofType(p.evaluation.resources, "gcp:sql/user:User").map(d => d.name)).to.deep.equal(["bookkeep-gcp-sql-d20261205-user"]);
        const bucket = String(present(ofType(p.evaluation.resources, "gcp:storage/bucket:Bucket").find(b => String(b.inputs.name).endsWith("-backups-in")), "backups").inputs.name);
        const grant = present(ofType(p.evaluation.resources, "gcp:storage/bucketIAMMember:BucketIAMMember").find(m => m.name.endsWith("-backup-restore-dump")), "grant");
        expect(grant.inputs).to.deep.include({ role: "roles/storage.objectViewer", condition: { title: "restore-dump-only", expression: `resource.name == "projects/_/buckets/${bucket}/objects/weekly/bookkeep-20261129.sql.gz"` } });
        const download = String(reveal(podSpec(job(p, "db-restore-")).initContainers[1].command[2]));
        expect(download).to.contain(`object=$(printf '%s' "weekly/bookkeep-20261129.sql.gz" | sed 's|/|%2F|g')`);
        expect(download).to.contain(`-o '/restore/dump.sql.gz' -H @/tmp/gcs-authorization "https://storage.googleapis.com/storage/v1/b/${bucket}/o/$object?alt=media"`);
    });

    describe("the Job's scripts (run by a shell with a fake psql)", () => {
        function run(script: string, tables: string, psqlFails = false): { out: string; calls: string; code: number } {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "db-restore-"));
            fs.writeFileSync(path.join(dir, "psql"), `#!/bin/sh\necho "psql $*" >> ${dir}/calls\ncat >> ${dir}/stdin\n${psqlFails ? "exit 3" : `echo ${tables}`}\n`, { mode: 0o755 });
            fs.writeFileSync(path.join(dir, "dump.sql.gz"), execFileSync("gzip", ["-c"], { input: "CREATE TABLE invoices ();\n" }));
            const local = script.replace(/\/restore\//g, `${dir}/`);
            try {
                // bash stands in for the image's busybox sh: Debian's dash has no pipefail.
                const out = execFileSync("bash", ["-c", local], { env: { PATH: `${dir}:/usr/bin:/bin`, DATABASE_URL: "postgres://x", DUMP_OBJECT: "daily/bookkeep-20261204.sql.gz" }, stdio: ["ignore", "pipe", "pipe"] }).toString();
                return { out, calls: fs.existsSync(`${dir}/calls`) ? fs.readFileSync(`${dir}/calls`, "utf8") + (fs.existsSync(`${dir}/stdin`) ? fs.readFileSync(`${dir}/stdin`, "utf8") : "") : "", code: 0 };
            } catch (err) {
                return { out: String((err as { stdout?: Buffer }).stdout ?? ""), calls: "", code: (err as { status: number }).status };
            }
        }
        const both = `${checkEmptyScript}\n${loadScript}`;

        it("loads an empty database in one transaction, the services' role created first", () => {
            const r = run(both, "0");
            expect(r.code).to.equal(0);
            expect(r.out).to.contain("db-restore: loaded daily/bookkeep-20261204.sql.gz");
            expect(r.calls).to.contain("psql postgres://x -X -q -v ON_ERROR_STOP=1 --single-transaction");
            expect(r.calls).to.contain("CREATE ROLE bookkeep_app NOLOGIN;");
            expect(r.calls).to.contain("CREATE TABLE invoices ();");
        });

        it("leaves a database with tables alone and says so", () => {
            const r = run(both, "12");
            expect(r.code).to.equal(0);
            expect(r.out).to.contain("db-restore: the database already has 12 tables in schema public; nothing restored");
            expect(r.out).to.not.contain("db-restore: loaded");
            expect(r.calls).to.not.contain("--single-transaction");
        });

        it("fails when PostgreSQL cannot be asked", () => {
            expect(run(checkEmptyScript, "0", true).code).to.not.equal(0);
        });
    });

    describe("a dump the backup CronJob wrote, loaded by the restore Job on a new instance (fake pg_dump and psql)", () => {
        // The fake pg_dump writes what PostgreSQL 15's does for a database the old instance's
        // owner migrated: ownership, grants to the services' role and, given one, to a role only
        // the old cloud has, unless told to leave them out. The fake psql is the new instance's
        // owner, no superuser: it knows its own role, and the services' role once a script has
        // created it, and stops on a statement naming any other, as PostgreSQL does ("role ...
        // does not exist") under ON_ERROR_STOP.
        function drill(dumpCommand: string, oldCloudRole?: string): { code: number; dumpArgs: string; loaded: string; err: string } {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "db-dump-drill-"));
            fs.writeFileSync(path.join(dir, "pg_dump"), [
                "#!/bin/sh",
                `echo "pg_dump $*" >> ${dir}/dump-calls`,
                "owner=1; privileges=1",
                "for a in \"$@\"; do case $a in --no-owner) owner=;; --no-privileges) privileges=;; esac; done",
                "echo 'CREATE TABLE public.invoices (id bigint NOT NULL, total numeric);'",
                "[ -z \"$owner\" ] || echo 'ALTER TABLE public.invoices OWNER TO bookkeep;'",
                "printf 'COPY public.invoices (id, total) FROM stdin;\\n1\\t118.00\\n\\\\.\\n'",
                "[ -z \"$privileges\" ] || [ -z \"$OLD_CLOUD_ROLE\" ] || echo \"GRANT ALL ON SCHEMA public TO $OLD_CLOUD_ROLE;\"",
                "[ -z \"$privileges\" ] || echo 'GRANT SELECT,INSERT,UPDATE,DELETE ON TABLE public.invoices TO bookkeep_app;'",
                "",
            ].join("\n"), { mode: 0o755 });
            fs.writeFileSync(path.join(dir, "psql"), [
                "#!/bin/sh",
                `case "$*" in *" -c "*) echo 0; exit 0;; esac`,
                `cat > ${dir}/in`,
                `cat ${dir}/in >> ${dir}/loaded`,
                `if grep -q 'CREATE ROLE bookkeep_app' ${dir}/in; then touch ${dir}/app-role; fi`,
                `for role in $(sed -nE 's/^(GRANT|REVOKE|ALTER) .* (TO|FROM) ([a-z_]+);$/\\3/p' ${dir}/in); do`,
                `  if [ "$role" = bookkeep ] || { [ "$role" = bookkeep_app ] && [ -e ${dir}/app-role ]; }; then continue; fi`,
                `  echo "psql:<stdin>: ERROR:  role \\"$role\\" does not exist" >&2; exit 3`,
                "done",
                "",
            ].join("\n"), { mode: 0o755 });
            const env = { PATH: `${dir}:/usr/bin:/bin`, DATABASE_URL: "postgres://bookkeep@new", DUMP_OBJECT: "daily/bookkeep-20261204.sql.gz", OLD_CLOUD_ROLE: oldCloudRole ?? "" };
            // bash stands in for the images' busybox sh: Debian's dash has no pipefail.
            execFileSync("bash", ["-c", dumpCommand.replace(/\/backup\//g, `${dir}/`)], { env, stdio: "ignore" });
            // What the download step does: the dump the CronJob uploaded lands at /restore/dump.sql.gz.
            fs.copyFileSync(path.join(dir, "bookkeep.sql.gz"), path.join(dir, "dump.sql.gz"));
            const read = (f: string) => fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), "utf8") : "";
            let code = 0;
            let err = "";
            try {
                execFileSync("bash", ["-c", `${checkEmptyScript}\n${loadScript}`.replace(/\/restore\//g, `${dir}/`)], { env, stdio: ["ignore", "pipe", "pipe"] });
            } catch (e) {
                code = (e as { status: number }).status;
                err = String((e as { stderr?: Buffer }).stderr ?? "");
            }
            return { code, dumpArgs: read("dump-calls"), loaded: read("loaded"), err };
        }

        it("dumps without ownership or privileges, and the dump loads whole under the new owner", () => {
            const r = drill(dumpScript, "cloudsqlsuperuser");
            expect(r.dumpArgs).to.equal("pg_dump --no-owner --no-privileges postgres://bookkeep@new\n");
            expect(r.code, r.err).to.equal(0);
            expect(r.loaded).to.contain("CREATE TABLE public.invoices").and.contain("1\t118.00\n\\.\n");
            expect(r.loaded).to.not.match(/OWNER TO|GRANT .* ON TABLE|cloudsqlsuperuser/);
        });

        it("pg_dump's default output (owners, grants to the old cloud's roles) aborts the whole load: why the CronJob leaves them out", () => {
            const r = drill(dumpScript.replace("pg_dump --no-owner --no-privileges ", "pg_dump "), "cloudsqlsuperuser");
            expect(r.code).to.not.equal(0);
            expect(r.err).to.contain(`role "cloudsqlsuperuser" does not exist`);
        });

        it("a dump written before the CronJob left privileges out still loads: its grants find the services' role the Job creates", () => {
            const r = drill(dumpScript.replace("pg_dump --no-owner --no-privileges ", "pg_dump "));
            expect(r.code, r.err).to.equal(0);
            expect(r.loaded).to.contain("ALTER TABLE public.invoices OWNER TO bookkeep;").and.contain("TO bookkeep_app;");
            expect(r.loaded.indexOf("CREATE ROLE bookkeep_app NOLOGIN;")).to.be.within(0, r.loaded.indexOf("TO bookkeep_app;"));
        });
    });

    describe("refuses a dump restore it cannot carry out, naming the key", () => {
        const cases: [string, Record<string, unknown>, string][] = [
            ["an object the backup jobs never write", { ...dump, object: "velero/backups/x.tar.gz" }, "bookkeep:database.restore.object: must be the key of a dump in the backups bucket"],
            ["a dump without its object", { id: "d1", from: "dump" }, "bookkeep:database.restore.object"],
        ];
        for (const [what, restore, message] of cases) {
            it(what, () => expectInputError(() => plan("production", "aws", { "bookkeep:database": { restore } }), message));
        }
        it("on the local cluster", () => expectInputError(() => plan("development", undefined, { "bookkeep:database": { restore: dump } }), "bookkeep:database.restore.from: is not supported on the local cluster"));
    });
});
