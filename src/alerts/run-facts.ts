/**
 * The facts the alert rules read, taken from a run report.
 */
import type { CampaignReport } from '../pipeline/run-campaign.js';
import type { RunFacts } from './evaluate-alerts.js';

/** Why a run failed, in words (segment errors, failed destinations, failed records), or undefined. */
export function runFailure(report: CampaignReport): string | undefined {
  const reasons: string[] = [];
  for (const segment of report.segments) if (segment.error) reasons.push(`segment ${segment.label}: ${segment.error}`);
  for (const destination of report.destinations) {
    const name = `destination ${destination.destinationIndex + 1} (${destination.connector})`;
    if ('error' in destination) {
      reasons.push(`${name}: ${destination.error}`);
      continue;
    }
    for (const segment of destination.segments) {
      if (segment.error !== undefined) reasons.push(`${name}, ${segment.segment}: ${segment.error}`);
      const failed = segment.sync?.outcomes.failed ?? 0;
      if (failed > 0) {
        const codes = Object.entries(segment.sync?.failureCodes ?? {}).map(([code, n]) => `${n} ${code}`).join(', ');
        reasons.push(`${name}, ${segment.segment}: ${failed} ${failed === 1 ? 'record' : 'records'} failed (${codes})`);
      }
    }
  }
  return reasons.length === 0 ? undefined : reasons.join('; ');
}

/** The facts of a finished run, for {@link evaluateAlerts}. */
export function runFactsOf(report: CampaignReport): RunFacts {
  const failure = runFailure(report);
  return {
    runId: report.runId,
    startedAt: report.startedAt,
    ...(failure === undefined ? {} : { failure }),
    segments: report.segments.map((segment) => ({
      label: segment.label,
      query: segment.query,
      usersInSegment: segment.usersInSegment,
      matched: segment.matched,
      members: segment.members,
      error: segment.error,
    })),
    ...(report.dataEndsAt === undefined ? {} : { dataEndsAt: report.dataEndsAt }),
  };
}
