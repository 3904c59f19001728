/** The AWS secret store keeps its deployed URN across the rename from AppSecrets (one name per concept). */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { expect } from "chai";
import { SecretStore } from "../components/aws/secrets";
import { run } from "./harness";

describe("AWS secret store", () => {
    it("registers under its class name, aliased to the old AppSecrets token (children inherit the alias)", async () => {
        const ev = await run(() => {
            const provider = new aws.Provider("p", { region: "ap-south-1" });
            const randomProvider = new random.Provider("r", {});
            const store = new SecretStore("s", { prefix: "bookkeep-production", databaseUrl: "postgres://x", redisUrl: "rediss://y", provider, randomProvider });
            const aliases = (store as unknown as { __aliases: pulumi.Output<string>[] }).__aliases;
            return { aliases: pulumi.all(aliases), urn: store.urn };
        });
        expect(ev.outputs.urn).to.match(/::bookkeep:aws:SecretStore::s$/);
        expect(ev.outputs.aliases).to.deep.equal([String(ev.outputs.urn).replace("::bookkeep:aws:SecretStore::s", "::bookkeep:aws:AppSecrets::s")]);
    });
});
