/**
 * The `onFailure` alert of a run that ended before it had a report (bad data, a provider that
 * failed as a whole, unreachable credentials): sent at once, never masking the run's own error.
 */
import type { Logger } from '../core/logger.js';
import { DEFAULT_ALERT_RULES, type AlertRules } from './alerts-schema.js';
import { deliverAlerts } from './deliver-alerts.js';
import type { Alert } from './evaluate-alerts.js';

/** Sends the onFailure alert for `error` (first line of its message) when the rules ask for it. */
export async function alertFailedRun(input: {
  campaign: string;
  runId: string;
  dryRun: boolean;
  rules: AlertRules | undefined;
  error: unknown;
  env: NodeJS.ProcessEnv;
  logger: Logger;
}): Promise<Alert[]> {
  if (!(input.rules ?? DEFAULT_ALERT_RULES).onFailure) return [];
  const reason = (input.error instanceof Error ? input.error.message : String(input.error)).split('\n')[0] ?? '';
  const alerts: Alert[] = [{ rule: 'onFailure', message: `the run failed: ${reason}` }];
  try {
    await deliverAlerts({ campaign: input.campaign, runId: input.runId, dryRun: input.dryRun, alerts, env: input.env, logger: input.logger });
  } catch (error) {
    input.logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'alert webhook failed');
  }
  return alerts;
}
