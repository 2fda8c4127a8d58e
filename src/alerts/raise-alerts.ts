/**
 * Raises a finished run's alerts: evaluates the campaign's rules against the run and the previous
 * one, records them on the report, and posts them to the webhook (never failing the run).
 */
import type { Logger } from '../core/logger.js';
import type { CampaignReport } from '../pipeline/run-campaign.js';
import { DEFAULT_ALERT_RULES, type AlertRules } from './alerts-schema.js';
import { deliverAlerts } from './deliver-alerts.js';
import { evaluateAlerts } from './evaluate-alerts.js';
import { runFactsOf } from './run-facts.js';
import type { AlertWebhookOptions } from './send-alert-webhook.js';

/** Sets `report.alerts` (and `report.alertDelivery` when the webhook was called); `context.failure` is a failure the report does not show. */
export async function raiseAlerts(
  report: CampaignReport,
  rules: AlertRules | undefined,
  previous: CampaignReport | undefined,
  context: { env: NodeJS.ProcessEnv; logger: Logger; webhook?: AlertWebhookOptions; failure?: string },
): Promise<void> {
  const facts = runFactsOf(report);
  if (facts.failure === undefined && context.failure !== undefined) facts.failure = context.failure;
  const alerts = evaluateAlerts(rules ?? DEFAULT_ALERT_RULES, facts, previous ? runFactsOf(previous) : undefined);
  report.alerts = alerts;
  const delivery = await deliverAlerts({ campaign: report.campaign, runId: report.runId, dryRun: report.dryRun, alerts, env: context.env, logger: context.logger, webhook: context.webhook });
  if (delivery) report.alertDelivery = delivery;
}
