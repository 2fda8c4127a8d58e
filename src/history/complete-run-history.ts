/**
 * The last step of every run, in-process or queued: alerts (against the previous run of the
 * campaign), the history rows, and retention pruning.
 */
import { raiseAlerts } from '../alerts/raise-alerts.js';
import type { AlertRules } from '../alerts/alerts-schema.js';
import type { AlertWebhookOptions } from '../alerts/send-alert-webhook.js';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { CampaignReport } from '../pipeline/run-campaign.js';
import type { StateStore } from '../state/state-store.js';
import { previousRun, reportOf } from './list-runs.js';
import { DEFAULT_HISTORY_RETENTION_DAYS, historyRetentionDays, pruneHistory } from './prune-history.js';
import { recordRunHistory } from './record-run-history.js';

export interface CompleteRunHistoryInput {
  /** The state store; without one, only the alerts are raised (against no previous run). */
  store?: StateStore;
  report: CampaignReport;
  /** The campaign's `alerts:` block. */
  rules?: AlertRules;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  webhook?: AlertWebhookOptions;
  /** Why the run failed as a whole when its report does not say (a queued run whose segment job failed). */
  failure?: string;
}

/** Raises the run's alerts, records its history and prunes what is past retention. */
export async function completeRunHistory(input: CompleteRunHistoryInput): Promise<void> {
  const { store, report } = input;
  const previous = store ? await previousRun(store, report.campaign, report.startedAt, report.runId) : undefined;
  await raiseAlerts(report, input.rules, previous ? reportOf(previous) : undefined, input);
  if (!store) return;
  await recordRunHistory(store, report);
  let days = DEFAULT_HISTORY_RETENTION_DAYS;
  try {
    days = historyRetentionDays(input.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    input.logger.warn({ error: error.message }, 'history retention: using the default');
    report.notes.push(`${error.message}; history is kept ${DEFAULT_HISTORY_RETENTION_DAYS} days`);
  }
  const pruned = await pruneHistory(store, days);
  if (pruned.runs > 0) input.logger.info({ ...pruned, retentionDays: days }, 'history pruned');
}
