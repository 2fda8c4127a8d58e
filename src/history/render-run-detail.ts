/**
 * `affinity-sync runs show <run-id>` as text: the run, how its segments were made, one row per
 * segment × destination, then alerts, retired audiences and failed records.
 */
import Table from 'cli-table3';
import { formatChange, formatCount, formatDuration, formatShare, formatTime } from './format.js';
import type { RunDetail } from './get-run.js';

const entries = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .map(([key, count]) => `${formatCount(count)} ${key}`)
    .join('; ');

export function renderRunDetail(run: RunDetail): string {
  const out: string[] = [];
  out.push(`run ${run.runId} — ${run.campaign}${run.type ? ` (${run.type})` : ''}, ${run.trigger}, ${run.dryRun ? 'DRY RUN, ' : ''}${run.status}`);
  out.push(`  started ${formatTime(run.startedAt)}, took ${formatDuration(run.durationMs)}`);
  if (run.campaignFile) out.push(`  campaign file ${run.campaignFile}${run.campaignFileHash ? `, sha256 ${run.campaignFileHash}` : ''}`);
  const previous = run.previousRunId ? ` (${formatChange(run.memberChange)} vs ${run.previousRunId})` : '';
  out.push(`  ${formatCount(run.segments)} segments, ${formatCount(run.members)} members${previous}; ${formatShare(run.matchRate)} of USER_IDs matched an email`);
  out.push(`  added ${formatCount(run.added)}, removed ${formatCount(run.removed)}, skipped ${formatCount(run.skipped)}, failed ${formatCount(run.failed)}`);
  const made = run.provenance;
  if (made?.provider === 'local') {
    const params = Object.entries(made.hyperparameters).map(([name, value]) => `${name}=${value}`).join(', ');
    out.push(`  segments: local engine, model ${made.modelFingerprint.slice(0, 16)}… (${made.modelSource === 'file' ? `loaded from ${made.modelFile ?? 'a file'}` : 'trained in this run'}, ${formatTime(made.trainedAt)}); ${params}`);
  } else if (made?.provider === 'personalize') {
    out.push(`  segments: Amazon Personalize solution version ${made.solutionVersionArn}${made.filterArn ? `, filter ${made.filterArn}` : ''}`);
    for (const arn of made.batchSegmentJobArns) out.push(`    batch segment job ${arn}`);
  }
  if (run.dataEndsAt) out.push(`  data: latest interaction ${formatTime(run.dataEndsAt)}`);
  if (run.error) out.push(`  error: ${run.error}`);

  if (run.results.length > 0) {
    const table = new Table({ head: ['segment', 'destination', 'audience', 'members', 'Δ', 'result'], style: { head: [], border: [] } });
    for (const result of run.results) {
      const parts = [result.outcome];
      if (result.outcome !== 'not synced' && result.outcome !== 'failed') {
        parts.push(`added ${formatCount(result.added)}`);
        if (result.alreadyMember > 0) parts.push(`already in ${formatCount(result.alreadyMember)}`);
        if (result.removed > 0) parts.push(`removed ${formatCount(result.removed)}`);
        if (result.skipped > 0) parts.push(`skipped ${formatCount(result.skipped)} (${entries(result.skipReasons)})`);
        if (result.failed > 0) parts.push(`FAILED ${formatCount(result.failed)} (${entries(result.failureCodes)})`);
      }
      if (result.error) parts.push(result.error);
      table.push([
        `${result.segment}\n${result.query}`,
        `${result.destinationIndex + 1} ${result.connector}`,
        result.location ?? result.audience ?? '—',
        formatCount(result.members),
        formatChange(result.memberChange),
        parts.join(', '),
      ]);
    }
    out.push(table.toString());
  }
  for (const alert of run.alertList) out.push(`  ALERT ${alert.rule}: ${alert.message}`);
  for (const retired of run.retired) {
    const what = retired.outcome === 'kept' ? 'kept (retire: keep)' : retired.outcome === 'refused' || retired.outcome === 'failed' ? `NOT retired: ${retired.message ?? retired.outcome}` : `${retired.dryRun ? 'would be ' : ''}${retired.outcome}${retired.removed > 0 ? `, ${formatCount(retired.removed)} members removed` : ''}`;
    out.push(`  retired ${retired.location ?? retired.audience} (${retired.connector}, retire: ${retired.policy}): ${what}`);
  }
  for (const failed of run.failedRecords) {
    const since = failed.retriedBy.map((by) => {
      const what = [by.resolved > 0 ? `${formatCount(by.resolved)} resolved` : '', by.failedAgain > 0 ? `${formatCount(by.failedAgain)} failed again` : '', by.other > 0 ? `${formatCount(by.other)} not sent` : ''].filter(Boolean).join(', ');
      return `retried by run ${by.runId}: ${what}`;
    });
    out.push(`  failed records: ${formatCount(failed.count)} ${failed.code} (${failed.retryable ? 'retryable' : 'permanent'})${failed.reason ? ` — ${failed.reason}` : ''}${since.length > 0 ? `; ${since.join('; ')}` : ''}`);
  }
  // Records not tried again are this run's to retry; those that failed again belong to the run that retried them.
  if (run.failedRecords.some((failed) => failed.open > 0)) out.push(`  retry them now: affinity-sync retry-failed ${run.runId}`);
  const failedAgainIn = [...new Set(run.failedRecords.flatMap((failed) => failed.retriedBy.filter((by) => by.failedAgain > 0).map((by) => by.runId)))];
  for (const retryRunId of failedAgainIn) out.push(`  the records that failed again are run ${retryRunId}'s now: affinity-sync retry-failed ${retryRunId}`);
  for (const note of run.notes) out.push(`  note: ${note}`);
  return `${out.join('\n')}\n`;
}
