/**
 * A record that failed in a sync, as the history keeps it: who (USER_IDs and the SHA-256 of the
 * normalised email) and why. Never the email itself: `retry-failed` looks it up again in the users
 * dataset.
 */
export interface FailedRecord {
  userIds: string[];
  emailHash: string;
  code: string;
  retryable: boolean;
  /** The reason in words, when the connector gave one. */
  reason?: string;
}

/** Failed records one audience sync keeps in its report at most (the counts stay exact). */
export const MAX_FAILED_RECORDS_PER_AUDIENCE = 10_000;
