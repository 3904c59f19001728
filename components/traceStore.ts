/**
 * The traces bucket's lifecycle on every cloud. Tempo's compactor deletes blocks older than its
 * `block_retention` (observability.logRetentionDays); the bucket deletes them a week later anyway,
 * so traces cannot pile up (and be billed) for ever should the compactor stop or be misconfigured.
 * A compacted block is written when it is made, so an object is never older than the traces in it:
 * expiry by object age never removes a trace younger than the retention.
 */
export const traceLifecycle = {
    /** Days after Tempo's own retention that the bucket deletes a block regardless. */
    backstopDays: 7,
    /** Blocks the compactor deleted stay as noncurrent versions this long (versioning is on for every bucket). */
    noncurrentExpireDays: 1,
    /** Tempo's documentation asks for abandoned multipart uploads to go after a day. */
    abortIncompleteUploadDays: 1,
} as const;

/** Days a trace block object lives at most. */
export function traceExpireDays(retentionDays: number): number {
    return retentionDays + traceLifecycle.backstopDays;
}
