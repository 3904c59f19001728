/**
 * The backup tiers of the required DR plan, by key prefix in the backups bucket, on every cloud.
 * Cold classes bill a minimum duration, so nothing moves before day 30 and nothing cold is deleted
 * early.
 */
export const backupSchedule = {
    /** Five weeks: every day of the last month. */
    dailyExpireDays: 35,
    coldAfterDays: 30,
    weeklyExpireDays: 365,
    /** Eight years: GST law keeps books for 72 months after the annual return, filed the year after. */
    monthlyExpireDays: 2922,
    /** Replaced or deleted dumps stay recoverable this long (versioning). */
    noncurrentExpireDays: 30,
    /** Abandoned multipart uploads are cleaned up after this many days. */
    abortIncompleteUploadDays: 7,
} as const;
