/**
 * `pulumi destroy` of a GCP stack: the private-services peering is removed before the range and
 * the VPC, after the data stores, by a delete-time command run here with a fake gcloud.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GcpFoundation } from "../components/gcp/foundation";
import { peeringCleanupScript } from "../components/gcp/network";
import { RecordedResource } from "../offline/engine";
import { gcpConfig } from "./configs";
import { one, reveal, run } from "./harness";

const N = "bookkeep-gcp";

/** Runs the cleanup with a fake gcloud whose `peerings list` prints `listed`; returns its calls. */
function runCleanup(listed: string[]): string[][] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "peering-"));
    try {
        const log = path.join(dir, "calls.log");
        fs.writeFileSync(path.join(dir, "gcloud"), [
            "#!/bin/sh",
            `{ printf '%s\\0' "$@"; printf '\\n'; } >> '${log}'`,
            `case "$*" in *"peerings list"*) printf '${listed.map(l => `${l}\\n`).join("")}';; esac`,
        ].join("\n"), { mode: 0o755 });
        fs.writeFileSync(log, "");
        execFileSync("/bin/sh", ["-c", `set -eu\n${peeringCleanupScript}`], {
            env: { PATH: `${dir}:/usr/bin:/bin`, PROJECT: "bookkeep-staging", NETWORK: "vpc-1234", PEERING: "servicenetworking-googleapis-com" },
            stdio: "pipe",
        });
        return fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map(l => l.split("\0").slice(0, -1));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("gcp teardown of the private-services peering", () => {
    let res: RecordedResource[];
    before(async () => {
        res = (await run(() => {
            new GcpFoundation(N, { config: gcpConfig("staging") });
            return {};
        })).resources;
    });

    it("deletes the VPC side of the peering when it is there", () => {
        expect(runCleanup(["other-peering", "servicenetworking-googleapis-com"])).to.deep.equal([
            ["compute", "networks", "peerings", "list", "--project=bookkeep-staging", "--network=vpc-1234", "--format=value(name)"],
            ["compute", "networks", "peerings", "delete", "servicenetworking-googleapis-com", "--project=bookkeep-staging", "--network=vpc-1234", "--quiet"],
        ]);
    });

    it("does nothing (and succeeds) when the peering is already gone", () => {
        expect(runCleanup(["servicenetworking-googleapis-com-2"]).map(c => c[3])).to.deep.equal(["list"]);
    });

    it("runs only on delete, with the VPC, project and peering of this stack, through an explicit provider", () => {
        const cleanup = one(res, "command:local:Command", `${N}-network-psa-peering-cleanup`);
        expect(reveal(cleanup.inputs)).to.deep.equal({
            delete: peeringCleanupScript,
            environment: { PROJECT: "bookkeep-staging", NETWORK: `${N}-network-vpc`, PEERING: "servicenetworking-googleapis-com" },
        });
        expect(cleanup.provider).to.equal(one(res, "pulumi:providers:command", `${N}-command`).urn);
    });

    it("orders the destroy: data stores, then the peering, then the abandoned connection, the range and the VPC", () => {
        const cleanup = one(res, "command:local:Command", `${N}-network-psa-peering-cleanup`);
        const connection = one(res, "gcp:servicenetworking/connection:Connection", `${N}-network-psa`);
        expect(connection.inputs.deletionPolicy).to.equal("ABANDON");
        expect(cleanup.dependsOn).to.include(connection.urn);
        expect(cleanup.propertyDependencies.environment).to.include(one(res, "gcp:compute/network:Network", `${N}-network-vpc`).urn);
        for (const [type, name] of [["gcp:sql/databaseInstance:DatabaseInstance", `${N}-sql`], ["gcp:redis/instance:Instance", `${N}-redis`]] as const) {
            expect(one(res, type, name).dependsOn, name).to.include(cleanup.urn);
        }
    });
});
