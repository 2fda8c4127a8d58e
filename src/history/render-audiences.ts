/**
 * `affinity-sync audiences` as a table: every audience, where it lives, its size at the last run.
 */
import Table from 'cli-table3';
import { formatCount, formatTime } from './format.js';
import type { AudienceEntry } from './list-audiences.js';

export function renderAudiences(audiences: readonly AudienceEntry[]): string {
  if (audiences.length === 0) return 'No audiences recorded yet: a run that syncs a campaign records its audiences.\n';
  const table = new Table({ head: ['campaign', 'audience', 'where', 'status', 'members', 'last run'], style: { head: [], border: [] } });
  for (const audience of audiences) {
    const status = audience.retired
      ? `retired ${formatTime(audience.retired.at).slice(0, 10)} (${audience.retired.outcome}${audience.retired.removed > 0 ? `, ${formatCount(audience.retired.removed)} removed` : ''})`
      : audience.status;
    table.push([audience.campaign, audience.name, audience.location ?? audience.externalId, status, formatCount(audience.members), audience.lastRunId ?? '—']);
  }
  return `${table.toString()}\n`;
}
