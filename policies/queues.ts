/**
 * SQS queues: the one AWS queue store the program uses (Karpenter's interruption notices). A
 * queue holds messages at rest and is reached by policy, so it is judged like the other stores:
 * encrypted at rest, and no queue policy that admits everyone.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, decoded, forTypes, safe } from "./helpers";
import { isEveryone } from "./publicAccess";


export const sqsQueueEncrypted: ResourceValidationPolicy = {
    name: "sqs-queue-encrypted",
    description: "Checks whether every SQS queue encrypts messages at rest (SQS-managed SSE or a KMS key).",
    enforcementLevel: "mandatory",
    validateResource: forTypes(["aws:sqs/queue:Queue"], (args, report) => {
        const managed = safe(() => args.props.sqsManagedSseEnabled) === true;
        const kms = typeof safe(() => args.props.kmsMasterKeyId) === "string";
        if (!managed && !kms) {
            report("SQS queue stores messages unencrypted; set sqsManagedSseEnabled: true or kmsMasterKeyId.");
        }
    }),
};

export const sqsQueueNotPublic: ResourceValidationPolicy = {
    name: "sqs-queue-not-public",
    description: "Checks whether no SQS queue policy allows Principal \"*\".",
    enforcementLevel: "mandatory",
    validateResource: forTypes(["aws:sqs/queuePolicy:QueuePolicy", "aws:sqs/queue:Queue"], (args, report) => {
        const doc = decoded(safe(() => args.props.policy));
        const statements = asArray(doc?.Statement);
        const open = statements.map((st, i) => [st, i] as const)
            .filter(([st]) => st?.Effect === "Allow" && isEveryone(st?.Principal))
            .map(([st, i]) => JSON.stringify(st?.Sid ?? i));
        if (open.length > 0) {
            report(`Queue policy allows Principal "*" (statement ${open.join(", ")}); name the service or roles that may send (events.amazonaws.com for EventBridge) and receive.`);
        }
    }),
};

export const queuePolicies = [sqsQueueEncrypted, sqsQueueNotPublic];
