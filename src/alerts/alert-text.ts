/**
 * The text of an alert message: one line naming the campaign and run, one bullet per alert.
 * Slack renders it as it is (`{"text": …}`); so do Mattermost, Teams workflows and Discord's
 * Slack-compatible endpoint.
 */
import type { Alert } from './evaluate-alerts.js';
import { scrubSecrets } from './scrub-secrets.js';

/**
 * E.g.
 * ```
 * affinity-sync: 2 alerts for new-arrivals, run new-arrivals-20261203T070000Z
 * • minMembers: jewelry has 12 members, fewer than the minimum of 100
 * • staleDataDays: the latest interaction is from 2024-12-16, 717 days before this run, …
 * ```
 * Emails and the environment's credentials are scrubbed (see {@link scrubSecrets}).
 */
export function alertText(campaign: string, runId: string, alerts: readonly Alert[], env: NodeJS.ProcessEnv = {}): string {
  const head = `affinity-sync: ${alerts.length} ${alerts.length === 1 ? 'alert' : 'alerts'} for ${campaign}, run ${runId}`;
  return scrubSecrets([head, ...alerts.map((alert) => `• ${alert.rule}: ${alert.message}`)].join('\n'), env);
}
