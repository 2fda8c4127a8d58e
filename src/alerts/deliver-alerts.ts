/**
 * Sends a run's alerts to the webhook of `AFFINITY_ALERT_WEBHOOK_URL`, when it is set and the run
 * is not a dry run. The outcome goes into the run report; a failed delivery is logged (without
 * the URL) and never fails the run.
 */
import type { Logger } from '../core/logger.js';
import { alertText } from './alert-text.js';
import type { Alert } from './evaluate-alerts.js';
import { ALERT_WEBHOOK_VARIABLE, sendAlertWebhook, type AlertDelivery, type AlertWebhookOptions } from './send-alert-webhook.js';

/** What to send and where. */
export interface DeliverAlertsInput {
  campaign: string;
  runId: string;
  dryRun: boolean;
  alerts: readonly Alert[];
  env: NodeJS.ProcessEnv;
  logger: Logger;
  webhook?: AlertWebhookOptions;
}

/** The webhook delivery, or undefined when nothing was to be sent (no alert, no webhook, a dry run). */
export async function deliverAlerts(input: DeliverAlertsInput): Promise<AlertDelivery | undefined> {
  const url = input.env[ALERT_WEBHOOK_VARIABLE]?.trim();
  if (!url || input.dryRun || input.alerts.length === 0) return undefined;
  const delivery = await sendAlertWebhook(url, alertText(input.campaign, input.runId, input.alerts, input.env), input.webhook);
  if (delivery.delivered) input.logger.info({ campaign: input.campaign, runId: input.runId, alerts: input.alerts.length, attempts: delivery.attempts }, 'alerts sent');
  else input.logger.warn({ campaign: input.campaign, runId: input.runId, alerts: input.alerts.length, attempts: delivery.attempts, error: delivery.error }, 'alert webhook failed');
  return delivery;
}
