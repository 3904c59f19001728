/**
 * Residency of what a GCP resource sends elsewhere: Pub/Sub messages are stored wherever the
 * topic's message storage policy allows (any region when it has none), and a log sink writes to a
 * destination named by a string. A destination that cannot be shown to be in India is refused.
 */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { asArray, gcpIndiaRegions, ofType, referenced, safe } from "./helpers";
import { gcpLocationsIn } from "./residency";

const inIndia = (l: unknown) => typeof l === "string" && /^asia-south[12]$/.test(l.toLowerCase());
const gcpList = gcpIndiaRegions.join(" or ");

export const pubsubTopicStorageIndia: ResourceValidationPolicy = {
    name: "pubsub-topic-storage-india",
    description: "Checks whether every Pub/Sub topic limits message storage to asia-south1 or asia-south2 (messageStoragePolicy.allowedPersistenceRegions).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "gcp:pubsub/topic:Topic") {
            return;
        }
        const regions = asArray(safe(() => args.props.messageStoragePolicy?.allowedPersistenceRegions));
        if (regions.length === 0) {
            report(`Pub/Sub topic stores messages in any Google region; set messageStoragePolicy.allowedPersistenceRegions to [${gcpIndiaRegions.map(r => `"${r}"`).join(", ")}] (with enforceInTransit: true).`);
        }
    },
};

const sinkTypes = [
    "gcp:logging/projectSink:ProjectSink", "gcp:logging/folderSink:FolderSink", "gcp:logging/organizationSink:OrganizationSink",
    "gcp:logging/billingAccountSink:BillingAccountSink",
];

export const logSinkDestinationIndia: StackValidationPolicy = {
    name: "log-sink-destination-india",
    description: "Checks whether every log sink writes to a log bucket in India or to a destination declared in this stack (whose own location the pack judges).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const sink of ofType(args, ...sinkTypes)) {
            if (referenced(sink, "destination").length > 0) {
                continue;
            }
            const destination = String(safe(() => sink.props.destination) ?? "");
            const locations = gcpLocationsIn(destination);
            if (locations.length === 0 || !locations.every(inIndia)) {
                const why = locations.length === 0 ? "names no location and is not declared in this stack" : `is in ${locations.join(", ")}`;
                report(`Log sink ${sink.name} writes to ${JSON.stringify(destination)}, which ${why}; write to logging.googleapis.com/projects/<project>/locations/asia-south1/buckets/<bucket> ` +
                    `or to a bucket, dataset or topic this stack declares in ${gcpList}.`, sink.urn);
            }
        }
    },
};

export const residencyDestinationPolicies = [pubsubTopicStorageIndia, logSinkDestinationIndia];
