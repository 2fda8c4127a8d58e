/**
 * The text form of `affinity-sync explain`: one block per segment with the user's rank and the
 * past items that make up their score, as aligned columns.
 */
import type { CampaignUserExplanation } from './explain-campaign-user.js';
import type { ContributingItem, SegmentExplanation, UserControl } from './explain-user.js';

const MAX_NAME = 40;
const MAX_ATTRIBUTES = 44;
const count = (n: number): string => n.toLocaleString('en-US');
const day = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(0, 10);
const cut = (text: string, width: number): string => (text.length <= width ? text : `${text.slice(0, width - 1)}…`);

/** Renders an explanation for the terminal. */
export function renderExplanation(explanation: CampaignUserExplanation): string {
  const { campaign } = explanation;
  const lines: string[] = [];
  lines.push(
    `User ${explanation.userId} in campaign ${campaign.name} (${campaign.type}, local engine, ${count(explanation.numResults)} users per segment)`,
  );
  if (campaign.provider !== 'local') {
    lines.push(`The campaign uses provider ${campaign.provider}; this explains the local engine's ranking on the same data.`);
  }
  if (explanation.firstSeconds !== undefined && explanation.lastSeconds !== undefined) {
    lines.push(
      `History: ${count(explanation.items)} items, ${count(explanation.interactions)} interactions, ${day(explanation.firstSeconds)} to ${day(explanation.lastSeconds)}.`,
    );
  } else {
    lines.push('History: no interactions.');
  }
  if (explanation.attributeColumns.length > 0) {
    lines.push(`Attributes: ${explanation.attributeColumns.join(' · ')}; ✔ = the item itself is the query's item or matches it.`);
  }
  for (const segment of explanation.segments) lines.push('', ...renderSegment(segment, explanation));
  return `${lines.join('\n')}\n`;
}

function renderSegment(segment: SegmentExplanation, explanation: CampaignUserExplanation): string[] {
  const lines = [`${segment.label} — ${segment.queryText}`];
  const { standing } = segment;
  switch (standing.status) {
    case 'error':
      return [...lines, `  no segment: ${standing.message}`];
    case 'no-interactions':
      return [...lines, '  not a candidate: the user has no interactions, so the engine never puts them in a segment'];
    case 'excluded':
      return [...lines, '  not a candidate: the user already interacted with this item (excludeInteracted: true)'];
    case 'ranked':
      lines.push(`  rank ${count(standing.rank)} of ${count(standing.candidates)} → ${verdict(standing.inSegment, standing.control, explanation.numResults)}`);
  }
  if (segment.scoredBy === 'activity') {
    return [...lines, "  the query's attribute values never occur in the interactions: users are ranked by activity (items interacted with)"];
  }
  if (!segment.breakdown) {
    return [...lines, '  the model scores users by latent factors, so the score has no breakdown by past item'];
  }
  if (segment.contributingItems === 0) {
    return [...lines, "  score 0: none of the user's items is related to the query's items; ties are ranked by activity"];
  }
  const shown = segment.topItems.length;
  lines.push(
    `  score ${segment.score.toPrecision(4)} from ${count(segment.contributingItems)} of the user's ${count(explanation.items)} items${shown < segment.contributingItems ? `; the top ${shown}` : ''}:`,
  );
  lines.push(...table(segment.topItems));
  return lines;
}

/** What becomes of a ranked user: synced, held out or left out by a control (and which), or ranked too low. */
function verdict(inSegment: boolean, control: UserControl | undefined, numResults: number): string {
  const top = `top ${count(numResults)}`;
  if (inSegment) return `in the segment (${top}), synced to the destinations`;
  switch (control?.control) {
    case 'suppressed':
      return `suppressed by the ${control.list === 'global' ? 'global suppression list' : `suppression list "${control.list}"`}: left out of the segment, never synced`;
    case 'holdout':
      return `in the control group (holdout): kept out of every destination, not synced`;
    case 'exclusive':
      return 'left out: an exclusive campaign (exclusiveWith) holds the user, not synced';
    case 'frequency-capped':
      return 'left out by the frequency cap (already in the most audiences allowed within its window), not synced';
    default:
      return `not in the segment (${top} after the controls)`;
  }
}

function table(items: readonly ContributingItem[]): string[] {
  const rows = items.map((item) => [
    `${(item.share * 100).toFixed(1)}%`,
    `${item.matchesQuery ? '✔ ' : ''}${cut(item.name, MAX_NAME)}`,
    cut(Object.values(item.attributes).join(' · '), MAX_ATTRIBUTES),
    item.events.map(({ eventType, count: n }) => (n > 1 ? `${eventType || 'event'} ×${n}` : eventType || 'event')).join(', '),
    day(item.lastSeconds),
  ]);
  const header = ['share', 'item', 'attributes', 'events', 'last'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const format = (row: string[]): string =>
    `    ${row.map((cell, column) => (column === 0 ? cell.padStart(widths[0]!) : cell.padEnd(widths[column]!))).join('  ')}`.trimEnd();
  return [format(header), ...rows.map(format)];
}
