/**
 * Deterministic names of the batch segment jobs of a run, so that a restarted run finds its own
 * job again (CreateBatchSegmentJob answers ResourceAlreadyExistsException for a name in use).
 *
 * `jobName` pattern: Personalize API reference, CreateBatchSegmentJob: 1–63 characters,
 * `^[a-zA-Z0-9][a-zA-Z0-9\-_]*`.
 */
import { createHash } from 'node:crypto';

/** Longest batch segment job name Personalize accepts. */
export const MAX_JOB_NAME_LENGTH = 63;
/** Room left for the `-p<part>` suffix (parts up to 99,999). */
const MAX_BASE_LENGTH = MAX_JOB_NAME_LENGTH - '-p99999'.length;

/**
 * The name stem of a run: the run id itself (`<campaign>-<UTC stamp>`) when it fits the job-name
 * pattern, else a cleaned, shortened form with the first 8 hex of its SHA-256, so two run ids
 * never share a stem. Also used as the run's folder in S3.
 */
export function runNameStem(runId: string): string {
  const cleaned = runId.replace(/[^a-zA-Z0-9_-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '');
  if (cleaned === runId && cleaned.length > 0 && cleaned.length <= MAX_BASE_LENGTH) return runId;
  const hash = createHash('sha256').update(runId).digest('hex').slice(0, 8);
  const head = cleaned.slice(0, MAX_BASE_LENGTH - hash.length - 1).replace(/[-_]+$/, '');
  return head ? `${head}-${hash}` : `run-${hash}`;
}

/** The job name of part `part` (1-based) of run `runId`, e.g. `shoes-20241216T020151Z-p1`. */
export function batchSegmentJobName(runId: string, part: number): string {
  return `${runNameStem(runId)}-p${part}`;
}
