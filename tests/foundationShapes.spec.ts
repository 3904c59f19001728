/** The shared foundation helpers: connection URLs, the ACME issuer, CAA values, kubeconfigs, backup schedule, JWT secret. */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { backupSchedule } from "../components/backupSchedule";
import { acmeDns01Issuer, caaRecords } from "../components/certificates";
import { postgresUrl, redisUrl } from "../components/connections";
import { execKubeconfig } from "../components/execKubeconfig";
import { generateJwtSecret, jwtSecretLength } from "../components/jwt";
import { backupLifecycleRules } from "../components/aws/storage";
import { lifecycleRules } from "../components/gcp/storage";
import { isSecret, ofType, present, reveal, run } from "./harness";
import * as random from "@pulumi/random";

describe("shared endpoints", () => {
    let outputs: Record<string, unknown>;
    let resources: Awaited<ReturnType<typeof run>>["resources"];
    before(async () => {
        const ev = await run(() => {
            const parent = new pulumi.ComponentResource("bookkeep:test:Parent", "endpoints");
            const provider = new random.Provider("endpoints-random", {}, { parent });
            return {
                pg: postgresUrl({ username: "book keep", password: "p@ss/w:rd?#", host: "db.internal", port: 5432, database: "bookkeep" }),
                pgVerify: postgresUrl({ username: "u", password: "p", host: "h", port: 1, database: "d", sslMode: "verify-full" }),
                redisTls: redisUrl({ password: "a+b/c=", host: "10.0.0.4", port: 6378, tls: true }),
                redisPlain: redisUrl({ password: "x", host: "valkey", port: 6379, tls: false }),
                issuer: acmeDns01Issuer("ops@example.com", "example.com", pulumi.output({ route53: { region: "ap-south-1", hostedZoneID: "Z1" } })),
                jwt: generateJwtSecret("endpoints-jwt", { parent, provider }),
            };
        });
        outputs = ev.outputs;
        resources = ev.resources;
    });

    it("URL-encodes Postgres credentials and defaults to sslmode=require, as a secret", () => {
        expect(isSecret(outputs.pg)).to.equal(true);
        expect(reveal(outputs.pg)).to.equal("postgres://book%20keep:p%40ss%2Fw%3Ard%3F%23@db.internal:5432/bookkeep?sslmode=require");
        expect(reveal(outputs.pgVerify)).to.equal("postgres://u:p@h:1/d?sslmode=verify-full");
    });

    it("builds rediss:// with TLS and redis:// without, the password URL-encoded, as a secret", () => {
        expect(isSecret(outputs.redisTls)).to.equal(true);
        expect(reveal(outputs.redisTls)).to.equal("rediss://:a%2Bb%2Fc%3D@10.0.0.4:6378");
        expect(isSecret(outputs.redisPlain)).to.equal(true);
        expect(reveal(outputs.redisPlain)).to.equal("redis://:x@valkey:6379");
    });

    it("builds the letsencrypt-prod ClusterIssuer around the cloud's DNS-01 solver", () => {
        const issuer = outputs.issuer as { name: string; spec: unknown };
        expect(issuer.name).to.equal("letsencrypt-prod");
        expect(reveal(issuer.spec)).to.deep.equal({
            acme: {
                server: "https://acme-v02.api.letsencrypt.org/directory",
                email: "ops@example.com",
                privateKeySecretRef: { name: "letsencrypt-prod-account-key" },
                solvers: [{ selector: { dnsZones: ["example.com"] }, dns01: { route53: { region: "ap-south-1", hostedZoneID: "Z1" } } }],
            },
        });
    });

    it("generates the JWT secret with @pulumi/random on the given provider, as a secret", () => {
        const jwt = present(ofType(resources, "random:index/randomPassword:RandomPassword")[0], "the JWT secret");
        expect(jwt.name).to.equal("endpoints-jwt");
        expect(jwt.inputs).to.deep.equal({ length: jwtSecretLength, special: false });
        expect(jwt.provider).to.match(/[:$]pulumi:providers:random::endpoints-random$/);
        expect(isSecret(outputs.jwt)).to.equal(true);
        expect(String(reveal(outputs.jwt))).to.have.length(64);
    });

    it("allows exactly the given certificate authorities in CAA, for names and wildcards", () => {
        expect(caaRecords(["letsencrypt.org", "pki.goog"])).to.deep.equal([
            "0 issue \"letsencrypt.org\"", "0 issue \"pki.goog\"", "0 issuewild \"letsencrypt.org\"", "0 issuewild \"pki.goog\"",
        ]);
    });

    it("builds an exec-plugin kubeconfig with no static credential and optional fields only when given", () => {
        const kc = JSON.parse(execKubeconfig({ name: "c", server: "https://1.2.3.4", certificateAuthorityData: "Q0E=", exec: { command: "gke-gcloud-auth-plugin", provideClusterInfo: true } }));
        expect(kc).to.deep.include({ apiVersion: "v1", kind: "Config", "current-context": "c" });
        expect(kc.clusters).to.deep.equal([{ name: "c", cluster: { server: "https://1.2.3.4", "certificate-authority-data": "Q0E=" } }]);
        expect(kc.contexts).to.deep.equal([{ name: "c", context: { cluster: "c", user: "c" } }]);
        expect(kc.users[0].user).to.deep.equal({
            exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "gke-gcloud-auth-plugin", provideClusterInfo: true, interactiveMode: "Never" },
        });
    });

    it("drives both clouds' backup lifecycles from the one schedule", () => {
        const s = backupSchedule;
        const aws = backupLifecycleRules(s.dailyExpireDays, s.weeklyExpireDays, s.monthlyExpireDays) as any[];
        const gcp = lifecycleRules("backups") as any[];
        expect(aws.map(r => r.expiration.days)).to.deep.equal([35, 365, 2922]);
        expect(aws[1].transitions[0].days).to.equal(s.coldAfterDays);
        expect(gcp.filter(r => r.action.type === "Delete" && r.condition.age).map(r => r.condition.age)).to.deep.equal([35, 365, 2922]);
        expect(gcp.filter(r => r.action.type === "SetStorageClass").map(r => r.condition.age)).to.deep.equal([30, 30]);
        expect(gcp[0].condition.age).to.equal(aws[0].abortIncompleteMultipartUpload.daysAfterInitiation);
        expect(gcp[1].condition.daysSinceNoncurrentTime).to.equal(aws[0].noncurrentVersionExpiration.noncurrentDays);
    });
});
