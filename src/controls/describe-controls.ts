/** The run report's line about what the marketing controls did to one segment. */
import type { SegmentControlCounts } from './select-segment-users.js';

const number = (value: number) => value.toLocaleString('en-US');

/** E.g. `12 suppressed (global 10, vip.csv 2); 3 over the frequency cap; holdout 10 %: 450 treatment, 50 control`; undefined when nothing happened. */
export function describeControls(counts: SegmentControlCounts | undefined): string | undefined {
  if (!counts) return undefined;
  const parts: string[] = [];
  const suppressed = Object.entries(counts.suppressed);
  const total = suppressed.reduce((sum, [, n]) => sum + n, 0);
  if (total > 0) parts.push(`${number(total)} suppressed (${suppressed.map(([reason, n]) => `${reason} ${number(n)}`).join(', ')})`);
  if (counts.frequencyCapped > 0) parts.push(`${number(counts.frequencyCapped)} over the frequency cap`);
  if (counts.exclusive > 0) parts.push(`${number(counts.exclusive)} held by an exclusive campaign`);
  if (counts.holdout) {
    const percent = Math.round(counts.holdout.share * 1000) / 10;
    parts.push(`holdout ${percent} %: ${number(counts.holdout.treatment)} treatment, ${number(counts.holdout.control)} control (never synced)`);
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}
