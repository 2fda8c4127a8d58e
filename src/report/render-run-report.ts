/**
 * The run report as text tables (cli-table3): one table per campaign, one row per segment and
 * destination, with users in segment, matched to an email, unmatched, and what the destination did.
 */
import { isAbsolute, relative } from 'node:path';
import Table from 'cli-table3';
import type { RetiredAudienceReport } from '../lifecycle/retire-audiences.js';
import { describeControls } from '../controls/describe-controls.js';
import type { CampaignReport } from '../pipeline/run-campaign.js';
import type { DestinationReport, SegmentDestinationReport } from '../pipeline/sync-campaign-destination.js';
import type { AudienceSyncReport } from '../sync/sync-audience.js';

const count = (value: number) => value.toLocaleString('en-US');

/** One line of what a sync did (or would do, in a dry run). */
function describeSync(sync: AudienceSyncReport): string {
  if (sync.snapshot) {
    const written = sync.dryRun ? sync.plan.add : sync.outcomes.added;
    return `${sync.dryRun ? 'would write' : 'wrote'} ${count(written)} member${written === 1 ? '' : 's'}${sync.dryRun ? ' (replaces the file)' : ''}`;
  }
  if (sync.dryRun) {
    // Up to: the destination decides at write time (consent, not a contact) and may skip some.
    const parts = [`would add up to ${count(sync.plan.add)}`];
    if (sync.mode === 'mirror') parts.push(`would remove ${count(sync.plan.remove)}`);
    if (sync.plan.unchanged > 0) parts.push(`${count(sync.plan.unchanged)} already in`);
    return parts.join(', ');
  }
  const { added, alreadyMember, removed, skipped, failed } = sync.outcomes;
  const parts = [`added ${count(added)}`];
  if (alreadyMember > 0) parts.push(`already in ${count(alreadyMember)}`);
  if (removed > 0) parts.push(`removed ${count(removed)}`);
  if (skipped > 0) {
    const reasons = Object.entries(sync.skipReasons)
      .map(([reason, n]) => `${count(n)} ${reason}`)
      .join('; ');
    parts.push(`skipped ${count(skipped)} (${reasons})`);
  }
  if (failed > 0) {
    const codes = Object.entries(sync.failureCodes)
      .map(([code, n]) => `${count(n)} ${code}`)
      .join('; ');
    parts.push(`FAILED ${count(failed)} (${codes})`);
  }
  return parts.join(', ');
}

function destinationCell(segment: SegmentDestinationReport, cwd: string): [string, string] {
  if (segment.skippedBecause) return ['—', `not synced: segment failed`];
  if (segment.error) return [segment.audience ?? '—', `FAILED: ${segment.error}`];
  if (segment.notAttempted) return [segment.audience ?? '—', `NOT WRITTEN: ${segment.notAttempted}`];
  if (segment.deferred) return [segment.audience ?? '—', `NOT SYNCED: ${segment.deferred.quota} reached, retry after ${segment.deferred.retryAfter}`];
  if (!segment.sync) return ['—', '—'];
  const { audience } = segment.sync;
  const where = audience.location && isAbsolute(audience.location) ? displayPath(audience.location, cwd) : (audience.location ?? audience.name);
  return [where, describeSync(segment.sync)];
}

/** What retiring an audience did (or would do, in a dry run). */
function describeRetired(retired: RetiredAudienceReport): string {
  const removed = retired.removed > 0 ? `, ${count(retired.removed)} members removed` : '';
  switch (retired.outcome) {
    case 'kept':
      return 'kept, no longer synced';
    case 'gone':
      return 'already gone from the destination';
    case 'refused':
    case 'failed':
      return `NOT retired: ${retired.message ?? retired.outcome}`;
    default:
      return retired.dryRun ? `would be ${retired.outcome}${removed.replace('removed', 'to remove')}` : `${retired.outcome}${removed}`;
  }
}

/** A file path relative to `cwd`; any other location as it is. */
function shownLocation(location: string, cwd: string): string {
  return isAbsolute(location) ? displayPath(location, cwd) : location;
}

/** A path relative to `cwd` when it lies below it, else as it is. */
function displayPath(path: string, cwd: string): string {
  const shown = relative(cwd, path);
  return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? path : shown;
}

/** `destination 1 (file): 1 of 3 audiences written; FAILED: 1; not written: 1` when not every audience was written. */
function partialFailureLine(destination: DestinationReport, dryRun: boolean): string[] {
  const failed = destination.segments.filter((segment) => segment.error !== undefined).length;
  const notWritten = destination.segments.filter((segment) => segment.notAttempted !== undefined || segment.skippedBecause !== undefined).length;
  const deferred = destination.segments.filter((segment) => segment.deferred !== undefined);
  if (failed === 0 && notWritten === 0 && deferred.length === 0) return [];
  const written = destination.segments.filter((segment) => segment.sync !== undefined).length;
  const parts = [`${written} of ${destination.segments.length} audiences ${dryRun ? 'planned' : 'written'}`];
  if (failed > 0) parts.push(`FAILED: ${failed}`);
  if (notWritten > 0) parts.push(`not written: ${notWritten}`);
  if (deferred.length > 0) parts.push(`NOT SYNCED: ${deferred.length}`);
  const lines = [`  destination ${destination.destinationIndex + 1} (${destination.connector}): ${parts.join('; ')}`];
  // The first deferral's message says what was reached, when it resets and how that time was found.
  if (deferred[0]?.deferred) lines.push(`  destination ${destination.destinationIndex + 1} (${destination.connector}): not synced: ${deferred[0].deferred.reason}. Run again after ${deferred[0].deferred.retryAfter}.`);
  return lines;
}

/**
 * Renders reports for the terminal.
 * @param cwd - paths are shown relative to it.
 */
export function renderRunReport(reports: readonly CampaignReport[], cwd: string): string {
  const out: string[] = [];
  for (const report of reports) {
    const seconds = (report.durationMs / 1000).toFixed(1);
    out.push(
      `\n${report.campaign} (${report.type}) — ${displayPath(report.file, cwd)}, run ${report.runId}${report.dryRun ? ', DRY RUN: nothing written' : ''}, ${seconds} s`,
    );
    const table = new Table({
      head: ['segment', 'users', 'matched', 'unmatched', 'members', 'destination', 'audience', report.dryRun ? 'would change' : 'result'],
      style: { head: [], border: [] },
    });
    for (const [index, segment] of report.segments.entries()) {
      const base = [
        [segment.label, segment.query, segment.error ? `ERROR: ${segment.error}` : undefined].filter(Boolean).join('\n'),
        count(segment.usersInSegment),
        count(segment.matched),
        count(segment.unmatched),
        count(segment.members),
      ];
      if (report.destinations.length === 0) table.push([...base, '—', '—', '—']);
      for (const destination of report.destinations) {
        const name = `${destination.connector}`;
        if ('error' in destination) {
          table.push([...base, name, '—', `FAILED (see below)`]);
          continue;
        }
        const entry = destination.segments[index];
        const [audience, result] = entry ? destinationCell(entry, cwd) : ['—', '—'];
        table.push([...base, name, audience, result]);
      }
    }
    if (report.segments.length > 0) out.push(table.toString());
    if (report.segments.length === 0) out.push('  NOTHING DONE: no segment to build, so nothing was written (exit code 3); the notes below say why.');
    else if (report.segments.every((segment) => segment.members === 0 && !segment.error)) {
      out.push('  NOTHING DONE: every segment is empty, so no audience got a member (exit code 3).');
    }
    for (const note of report.notes) out.push(`  note: ${note}`);
    for (const segment of report.segments) {
      for (const note of segment.notes ?? []) out.push(`  note: ${segment.label}: ${note}`);
      const controls = describeControls(segment.controls);
      if (controls) out.push(`  controls: ${segment.label}: ${controls}`);
    }
    for (const destination of report.destinations) {
      if ('error' in destination) out.push(`  destination ${destination.destinationIndex + 1} (${destination.connector}) FAILED: ${destination.error}`);
      else out.push(...partialFailureLine(destination, report.dryRun));
    }
    for (const destination of report.destinations) {
      if ('error' in destination) continue;
      for (const retired of destination.retired ?? []) out.push(`  retired ${shownLocation(retired.location ?? retired.audience, cwd)} (${retired.connector}, retire: ${retired.policy}): ${describeRetired(retired)}`);
    }
    for (const alert of report.alerts ?? []) out.push(`  ALERT ${alert.rule}: ${alert.message}`);
    if (report.alertDelivery) {
      const { delivered, attempts, error } = report.alertDelivery;
      out.push(delivered ? '  alerts sent to the webhook' : `  alert webhook FAILED after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}: ${error ?? 'unknown error'} (the run itself is not affected)`);
    }
    const merged = report.segments.reduce((sum, segment) => sum + segment.mergedDuplicates, 0);
    if (merged === 1) out.push('  1 USER_ID shared an email with a better-ranked user and was merged into that member.');
    if (merged > 1) out.push(`  ${count(merged)} USER_IDs shared an email with a better-ranked user and were merged into that member.`);
  }
  return `${out.join('\n')}\n`;
}
