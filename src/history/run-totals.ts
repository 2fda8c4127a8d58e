/**
 * The totals of one run report that the history shows: members, adds, removals, failures, match rate.
 */
import type { CampaignReport } from '../pipeline/run-campaign.js';

export interface RunTotals {
  /** Segments of the run. */
  segments: number;
  /** Audience members over every segment (distinct emails per segment). */
  members: number;
  added: number;
  removed: number;
  failed: number;
  /** Records skipped by destinations (consent, not a contact…). */
  skipped: number;
  /** Share of the segments' USER_IDs matched to an email (0–1); null without users. */
  matchRate: number | null;
}

/** Totals of a report (a report of an older or foreign shape counts as zeros). */
export function runTotals(report: CampaignReport | undefined): RunTotals {
  const totals: RunTotals = { segments: 0, members: 0, added: 0, removed: 0, failed: 0, skipped: 0, matchRate: null };
  if (!report) return totals;
  let users = 0;
  let matched = 0;
  for (const segment of report.segments ?? []) {
    totals.segments += 1;
    totals.members += segment.members;
    users += segment.usersInSegment;
    matched += segment.matched;
  }
  totals.matchRate = users === 0 ? null : matched / users;
  for (const destination of report.destinations ?? []) {
    if ('error' in destination) continue;
    for (const entry of destination.segments) {
      const outcomes = entry.sync?.outcomes;
      if (!outcomes || entry.sync?.dryRun) continue;
      totals.added += outcomes.added;
      totals.removed += outcomes.removed;
      totals.failed += outcomes.failed;
      totals.skipped += outcomes.skipped;
    }
    for (const retired of destination.retired ?? []) if (!retired.dryRun) totals.removed += retired.removed;
  }
  return totals;
}
