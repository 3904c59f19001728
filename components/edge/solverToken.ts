/**
 * The Cloudflare API token cert-manager's DNS-01 solver uses: DNS write and zone read on this zone
 * only (a token cannot be narrowed to `_acme-challenge`), created from the deploy token so no person
 * handles it. Cloudflare's permission-group ids are documented constants
 * (https://developers.cloudflare.com/fundamentals/api/reference/permissions/).
 */
import * as cloudflare from "./sdk";
import * as pulumi from "@pulumi/pulumi";

export const dnsWritePermission = "4755a26eedb94da69e1066d98aa820be";
export const zoneReadPermission = "c8fed203ed3043cba015a93ad1616f1f";
/** The Secret in cert-manager's namespace the ClusterIssuer names, and its key. */
export const solverSecretName = "cloudflare-dns01-token";
export const solverSecretKey = "api-token";

export interface DnsSolverTokenArgs {
    readonly accountId: string;
    readonly zoneId: pulumi.Input<string>;
    /** Names the token (`cert-manager <domain>`). */
    readonly domain: string;
}

export class DnsSolverToken extends pulumi.ComponentResource {
    public readonly secretRef = { name: solverSecretName, key: solverSecretKey };
    public readonly secret: { readonly name: string; readonly stringData: pulumi.Output<Record<string, string>> };

    constructor(name: string, args: DnsSolverTokenArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:edge:DnsSolverToken", name, {}, opts);
        const token = new cloudflare.AccountToken(`${name}-token`, {
            accountId: args.accountId,
            name: `cert-manager ${args.domain}`,
            policies: [{
                effect: "allow",
                permissionGroups: [{ id: dnsWritePermission }, { id: zoneReadPermission }],
                resources: pulumi.jsonStringify(pulumi.output(args.zoneId).apply(id => ({ [`com.cloudflare.api.account.zone.${id}`]: "*" }))),
            }],
        }, { parent: this });
        this.secret = { name: solverSecretName, stringData: pulumi.secret(token.value).apply((v): Record<string, string> => ({ [solverSecretKey]: v })) };
        this.registerOutputs({});
    }
}
