/** What fake Cloudflare resources report back: the computed outputs the program reads. */
import { CloudMocks } from "./types";

/** A zone id as Cloudflare issues them (32 hex digits); fixed, so plans diff cleanly. */
export const fakeZoneId = "f00dcafe0123456789abcdef01234567";

export const cloudflareMocks: CloudMocks = {
    outputs: {
        "cloudflare:index/zone:Zone": () => ({
            id: fakeZoneId,
            // Cloudflare assigns two name servers per zone; the registrar is pointed at them.
            nameServers: ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"],
            status: "pending",
        }),
        "cloudflare:index/accountToken:AccountToken": () => ({ value: "fake-cloudflare-token" }),
    },
    calls: {},
};
