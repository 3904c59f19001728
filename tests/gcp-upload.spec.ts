/**
 * The backup uploader's script run for real under sh, with a fake `curl` (and fake `gcloud` and
 * `gsutil`) on PATH that record every call. Each call is mapped to the IAM permission it needs, and
 * every permission must be in the role the backup identity is granted on the bucket.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { backupWriterRole } from "../components/gcp/identity";
import { authorizationFile, gcsUploadScript } from "../components/gcp/upload";
import { present } from "./harness";

interface Call { readonly tool: string; readonly args: string[] }

/** One executable per tool: records its argv (NUL-separated) and answers as the service would. */
function fakeTool(dir: string, tool: string, log: string): void {
    const answer = tool === "curl"
        ? `case "$*" in *169.254.169.254*) printf '{"access_token":"ya29.fake-token","expires_in":3599,"token_type":"Bearer"}';; *) printf '{"kind":"storage#object"}';; esac`
        : "exit 0";
    fs.writeFileSync(path.join(dir, tool), `#!/bin/sh\n{ printf '%s\\0' ${tool} "$@"; printf '\\n'; } >> '${log}'\n${answer}\n`, { mode: 0o755 });
}

function runScript(script: string, work: string): Call[] {
    const bin = path.join(work, "bin");
    const log = path.join(work, "calls.log");
    fs.mkdirSync(bin);
    for (const tool of ["curl", "gcloud", "gsutil"]) {
        fakeTool(bin, tool, log);
    }
    execFileSync("/bin/sh", ["-c", `set -eu\n${script}`], { env: { PATH: `${bin}:/usr/bin:/bin` }, stdio: ["ignore", "pipe", "pipe"] });
    return fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map(line => {
        const [tool, ...args] = line.split("\0").filter((_, i, all) => i < all.length - 1);
        if (tool === undefined) {
            throw new Error(`call log line without a tool: ${JSON.stringify(line)}`);
        }
        return { tool, args };
    });
}

/** The HTTP method and URL of a curl call (-X, else GET; -T alone would be PUT). */
function httpOf(call: Call): { method: string; url: URL } {
    const x = call.args.indexOf("-X");
    const method = x >= 0 ? call.args[x + 1] : call.args.includes("-T") ? "PUT" : "GET";
    if (method === undefined) {
        throw new Error(`curl -X without a method: ${call.args.join(" ")}`);
    }
    const url = call.args.find(a => /^https?:\/\//.test(a));
    if (!url) {
        throw new Error(`curl without a URL: ${call.args.join(" ")}`);
    }
    return { method, url: new URL(url) };
}

/**
 * The IAM permissions a call needs; a call this table does not know fails the test. `gcloud
 * storage cp` looks the destination up before writing (objects.get, then objects.list).
 */
function permissionsOf(call: Call, bucket: string): string[] {
    if (call.tool === "gcloud" && call.args[0] === "storage" && call.args[1] === "cp") {
        return ["storage.objects.get", "storage.objects.list", "storage.objects.create"];
    }
    if (call.tool === "curl") {
        const { method, url } = httpOf(call);
        if (url.host === "169.254.169.254") {
            return [];
        }
        const generation = url.searchParams.get("ifGenerationMatch");
        if (method === "POST" && url.host === "storage.googleapis.com" && url.pathname === `/upload/storage/v1/b/${bucket}/o`
            && url.searchParams.get("uploadType") === "media") {
            // Without the precondition an existing object is replaced: that needs delete as well.
            return generation === "0" ? ["storage.objects.create"] : ["storage.objects.create", "storage.objects.delete"];
        }
    }
    throw new Error(`no permission mapping for: ${call.tool} ${call.args.join(" ")}`);
}

describe("gcp backup uploader against its role", () => {
    const bucket = "bookkeep-production-backups";
    let work: string;
    let calls: Call[];

    before(() => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "gcs-upload-"));
        fs.writeFileSync(path.join(work, "date"), "20261205\n");
        fs.writeFileSync(path.join(work, "dump.sql.gz"), "dump");
        // The script writes the bearer header to a fixed path under /tmp: point it at the work dir.
        const script = gcsUploadScript(bucket, path.join(work, "dump.sql.gz"), `daily/bookkeep-$(cat ${path.join(work, "date")}).sql.gz`)
            .split(authorizationFile).join(path.join(work, "authorization"));
        calls = runScript(script, work);
    });

    after(() => fs.rmSync(work, { recursive: true, force: true }));

    it("makes exactly a metadata token call and one create-only media upload, and no gcloud or gsutil call", () => {
        expect(calls.map(c => c.tool)).to.deep.equal(["curl", "curl"]);
        const token = httpOf(calls[0]!);
        const upload = httpOf(calls[1]!);
        expect(token.method).to.equal("GET");
        expect(token.url.href).to.equal("http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token");
        expect(calls[0]!.args).to.include("Metadata-Flavor: Google");
        expect(upload.method).to.equal("POST");
        expect(`${upload.url.origin}${upload.url.pathname}`).to.equal(`https://storage.googleapis.com/upload/storage/v1/b/${bucket}/o`);
        expect(Object.fromEntries(upload.url.searchParams)).to.deep.equal({
            uploadType: "media", ifGenerationMatch: "0", name: "daily/bookkeep-20261205.sql.gz",
        });
        expect(upload.url.search).to.contain("name=daily%2Fbookkeep-20261205.sql.gz");
    });

    it("streams the dump and keeps the token out of the command line", () => {
        const args = present(calls[1], "the upload call").args;
        expect(args[args.indexOf("-T") + 1]).to.equal(path.join(work, "dump.sql.gz"));
        expect(args).to.include(`@${path.join(work, "authorization")}`);
        expect(args.join(" ")).to.not.contain("ya29.fake-token");
        expect(fs.readFileSync(path.join(work, "authorization"), "utf8")).to.equal("Authorization: Bearer ya29.fake-token\n");
        expect(args).to.include("--fail-with-body");
    });

    it("needs only permissions the granted role holds", () => {
        expect(backupWriterRole.role).to.equal("roles/storage.objectCreator");
        const needed = calls.flatMap(c => permissionsOf(c, bucket));
        expect(needed).to.deep.equal(["storage.objects.create"]);
        needed.forEach(p => expect(backupWriterRole.permissions, p).to.include(p));
    });

    it("would have refused the old `gcloud storage cp` (it reads before it writes)", () => {
        const needed = permissionsOf({ tool: "gcloud", args: ["storage", "cp", "/backup/x", `gs://${bucket}/daily/x`] }, bucket);
        expect(needed.filter(p => !(backupWriterRole.permissions as readonly string[]).includes(p))).to.deep.equal(["storage.objects.get", "storage.objects.list"]);
    });

    it("fails the job when the metadata server gives no token", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gcs-upload-"));
        try {
            const bin = path.join(dir, "bin");
            fs.mkdirSync(bin);
            fs.writeFileSync(path.join(bin, "curl"), "#!/bin/sh\nexit 22\n", { mode: 0o755 });
            const script = gcsUploadScript(bucket, "/nonexistent", "daily/x").split(authorizationFile).join(path.join(dir, "authorization"));
            expect(() => execFileSync("/bin/sh", ["-c", `set -eu\n${script}`], { env: { PATH: `${bin}:/usr/bin:/bin` }, stdio: "pipe" }))
                .to.throw(/no access token from the GKE metadata server/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
