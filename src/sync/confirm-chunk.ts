/**
 * The confirm step of an audience sync: one outcome per record of a sent chunk, counted, and
 * recorded in the ledger (snapshot) and the checkpoints.
 */
import type { ApplyBatch, OutcomeKind, RecordOutcome } from './destination-connector.js';

/** Per-kind counts and the breakdowns of skips and failures. */
export interface OutcomeTally {
  outcomes: Record<OutcomeKind, number>;
  skipReasons: Record<string, number>;
  failureCodes: Record<string, number>;
}

export const emptyOutcomes = (): Record<OutcomeKind, number> => ({ added: 0, alreadyMember: 0, removed: 0, skipped: 0, failed: 0 });

/** Keeps one outcome per record of the batch; a record the connector did not answer for counts as failed. */
export function completeOutcomes(batch: ApplyBatch, answered: readonly RecordOutcome[]): RecordOutcome[] {
  const expected = new Set([...batch.add.map((member) => member.email), ...batch.remove]);
  const seen = new Set<string>();
  const outcomes: RecordOutcome[] = [];
  for (const outcome of answered) {
    if (!expected.has(outcome.email) || seen.has(outcome.email)) continue;
    seen.add(outcome.email);
    outcomes.push(outcome);
  }
  for (const email of expected) {
    if (!seen.has(email)) outcomes.push({ email, kind: 'failed', retryable: false, code: 'noOutcome' });
  }
  return outcomes;
}

/** Adds outcomes to a tally. */
export function tallyOutcomes(tally: OutcomeTally, outcomes: readonly RecordOutcome[]): void {
  for (const outcome of outcomes) {
    tally.outcomes[outcome.kind] += 1;
    if (outcome.kind === 'skipped') tally.skipReasons[outcome.reason] = (tally.skipReasons[outcome.reason] ?? 0) + 1;
    if (outcome.kind === 'failed') tally.failureCodes[outcome.code] = (tally.failureCodes[outcome.code] ?? 0) + 1;
  }
}
