/**
 * The BookKeep policy pack, as `pulumi preview --policy-pack policies` serves it. The only file
 * that constructs a PolicyPack: constructing one starts the analyzer's gRPC server.
 */
import { PolicyPack } from "@pulumi/policy";
import { pack } from "./pack";

new PolicyPack(pack.name, {
    enforcementLevel: pack.enforcementLevel,
    policies: [...pack.policies],
});
