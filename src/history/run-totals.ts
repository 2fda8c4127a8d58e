/**
 * The totals of one run report that the history shows: members, adds, removals, failures, match rate.
 */
import type { CampaignReport } from '../pipeline/run-campaign.js';

export interface RunTotals {
  /** Segments of the run. */
  segments: number;
  /**
   * Audience members over every segment: per segment, the members its audience holds after the
   * run (added + already in; a dry run: the members planned), the largest over the destinations,
   * as `runs show` lists them. A segment no destination synced counts its distinct emails.
   */
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
  const destinations = report.destinations ?? [];
  for (const [index, segment] of (report.segments ?? []).entries()) {
    totals.segments += 1;
    totals.members += audienceMembers(destinations, index) ?? segment.members;
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

/** The members segment `index` holds in its largest synced audience, or undefined when no destination synced it. */
function audienceMembers(destinations: CampaignReport['destinations'], index: number): number | undefined {
  let members: number | undefined;
  for (const destination of destinations) {
    if ('error' in destination) continue;
    const sync = destination.segments[index]?.sync;
    if (!sync) continue;
    const held = sync.dryRun ? sync.membersPlanned : sync.outcomes.added + sync.outcomes.alreadyMember;
    members = Math.max(members ?? 0, held);
  }
  return members;
}
