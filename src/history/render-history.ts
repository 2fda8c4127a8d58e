/**
 * `affinity-sync history` as a table: one row per run, newest first.
 */
import Table from 'cli-table3';
import { formatChange, formatCount, formatDuration, formatShare, formatTime } from './format.js';
import type { RunHistoryEntry } from './list-runs.js';

export function renderHistory(entries: readonly RunHistoryEntry[]): string {
  if (entries.length === 0) return 'No runs recorded yet: `affinity-sync run <campaign file>` records one.\n';
  const table = new Table({
    head: ['run', 'trigger', 'started', 'duration', 'status', 'segments', 'members', 'Δ members', 'added', 'removed', 'failed', 'matched', 'alerts'],
    style: { head: [], border: [] },
  });
  for (const entry of entries) {
    table.push([
      entry.runId,
      entry.trigger,
      formatTime(entry.startedAt),
      formatDuration(entry.durationMs),
      entry.dryRun ? `${entry.status} (dry run)` : entry.status,
      formatCount(entry.segments),
      formatCount(entry.members),
      formatChange(entry.memberChange),
      formatCount(entry.added),
      formatCount(entry.removed),
      formatCount(entry.failed),
      formatShare(entry.matchRate),
      formatCount(entry.alerts),
    ]);
  }
  const errors = entries.filter((entry) => entry.error).map((entry) => `  ${entry.runId}: ${entry.error ?? ''}`);
  return `${table.toString()}\n${errors.length > 0 ? `${errors.join('\n')}\n` : ''}`;
}
