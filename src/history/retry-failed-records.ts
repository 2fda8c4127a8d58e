/**
 * `retry-failed <run-id>`: the open failed records of a run, sent again now. Emails are never
 * stored, so each record's USER_IDs are resolved again through the campaign's users dataset; only
 * those people are sent (one `apply` per chunk: no diff, no removal), and each failure gets its
 * resolution. The retry is itself a run of the history (trigger `retry`).
 */
import { destinationConnectors } from '../../connectors/index.js';
import { loadCampaign } from '../campaign/load-campaign.js';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { UsersIdentityResolver } from '../identity/users-resolver.js';
import { loadCampaignDatasets } from '../pipeline/load-campaign-datasets.js';
import type { CampaignReport } from '../pipeline/run-campaign.js';
import { claimNewRunId } from '../pipeline/run-id.js';
import type { DestinationReport } from '../pipeline/sync-campaign-destination.js';
import { emailHash } from '../state/email-hash.js';
import { destinationKey, type StateStore } from '../state/state-store.js';
import type { OutcomeKind, RecordOutcome } from '../sync/destination-connector.js';
import { createRateLimiter } from '../sync/rate-limiter.js';
import type { AudienceSyncReport } from '../sync/sync-audience.js';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from '../sync/with-retry.js';
import type { FailedRecord } from './failed-record.js';
import { reportOf } from './list-runs.js';
import { recordRunHistory } from './record-run-history.js';

export interface RetryFailedOptions {
  store: StateStore;
  runId: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Working directory (relative destination paths, the default dataset directory). */
  cwd: string;
  /** Dataset directory overriding the campaign's. */
  dataDir?: string;
  retry?: Partial<RetryPolicy>;
}

/** What a retry did, per audience. */
export interface RetryFailedResult {
  retryRunId: string;
  /** The run whose failures were retried. */
  runId: string;
  report: CampaignReport;
  /** Records per resolution: `resolved`, `failed again`, `skipped (…)`, `user gone`, `not retried (…)`. */
  resolutions: Record<string, number>;
}

const emptyOutcomes = (): Record<OutcomeKind, number> => ({ added: 0, alreadyMember: 0, removed: 0, skipped: 0, failed: 0 });

/**
 * Retries the open failed records of run `runId`.
 * @throws ConfigError when the run is unknown, has no open failed records, or its campaign file is gone.
 */
export async function retryFailedRecords(options: RetryFailedOptions): Promise<RetryFailedResult> {
  const { store } = options;
  const run = await store.getRun(options.runId);
  const original = run ? reportOf(run) : undefined;
  if (!run || !original) throw new ConfigError(`no finished run "${options.runId}" in the state store; \`affinity-sync history\` lists the runs`);
  const open = await store.db.selectFrom('record_failures').selectAll().where('run_id', '=', run.runId).where('resolution', 'is', null).execute();
  if (open.length === 0) throw new ConfigError(`run ${run.runId} has no failed records left to retry`);

  const loaded = await loadCampaign(original.file, { cwd: options.cwd });
  const datasets = await loadCampaignDatasets(loaded, { cwd: options.cwd, dataDir: options.dataDir });
  const resolver = new UsersIdentityResolver(datasets.users);
  const started = new Date();
  const retryRunId = await claimNewRunId(store, run.campaign, { trigger: 'retry', dryRun: false, at: started, idPrefix: `${run.campaign}-retry` });
  await store.startRun({ runId: retryRunId, campaign: run.campaign, trigger: 'retry', dryRun: false, startedAt: started });

  const report: CampaignReport = {
    campaign: run.campaign,
    file: original.file,
    type: original.type,
    runId: retryRunId,
    dryRun: false,
    segments: [],
    notes: [`retry of the failed records of run ${run.runId}`],
    destinations: [],
    startedAt: started.toISOString(),
    durationMs: 0,
  };
  const resolutions: Record<string, number> = {};
  const resolve = async (failure: (typeof open)[number], resolution: string): Promise<void> => {
    resolutions[resolution] = (resolutions[resolution] ?? 0) + 1;
    await store.db
      .updateTable('record_failures')
      .set({ retried_by_run_id: retryRunId, resolution })
      .where('run_id', '=', failure.run_id)
      .where('destination_index', '=', failure.destination_index)
      .where('audience', '=', failure.audience)
      .where('email_hash', '=', failure.email_hash)
      .execute();
  };

  const groups = new Map<string, typeof open>();
  for (const failure of open) {
    const key = `${failure.destination_index}\n${failure.audience}`;
    groups.set(key, [...(groups.get(key) ?? []), failure]);
  }
  const destinations = new Map<number, DestinationReport>();
  for (const failures of groups.values()) {
    const { destination_index: destinationIndex, audience: name } = failures[0]!;
    const config = loaded.campaign.destinations[destinationIndex];
    const connector = destinationConnectors.find((candidate) => candidate.id === config?.connector);
    const why =
      !config || !connector || connector.id !== failures[0]!.connector
        ? `destination ${destinationIndex + 1} is no longer ${failures[0]!.connector} in ${loaded.file}`
        : undefined;
    if (why !== undefined || !connector || !config) {
      for (const failure of failures) await resolve(failure, `not retried (${why ?? 'no connector'})`);
      continue;
    }
    const session = connector.open(config, { env: options.env, logger: options.logger, baseDir: options.cwd });
    try {
      if (!session.listMembers) {
        for (const failure of failures) await resolve(failure, 'not retried (file audiences are rewritten whole by the next run)');
        continue;
      }
      const userIds = failures.flatMap((failure) => JSON.parse(failure.user_ids) as string[]);
      const members = resolver.resolve(userIds).members;
      const byHash = new Map(members.map((member) => [emailHash(member.email), member]));
      // The segment as the original run named it (its label and query), not the audience's name.
      const original = await store.db
        .selectFrom('run_results')
        .select(['segment', 'query'])
        .where('run_id', '=', run.runId)
        .where('destination_index', '=', destinationIndex)
        .where('audience', '=', name)
        .executeTakeFirst();
      const query = original?.query ?? '';
      const label = original?.segment ?? name;
      const spec = { name, campaign: run.campaign, query, runId: retryRunId };
      const started = Date.now();
      const limiter = createRateLimiter(connector.limits.requestsPerInterval);
      const counters = { retries: 0, rateLimitWaits: 0 };
      const retried = <T>(call: () => Promise<T>): Promise<T> => withRetry(call, { policy: { ...DEFAULT_RETRY_POLICY, ...options.retry }, limiter, counters });
      const audience = await retried(() => session.ensureAudience(spec, { dryRun: false }));
      // A member's current email may differ from the one that failed: matched by USER_ID, sent as it is now.
      const toSend = failures.flatMap((failure) => {
        const ids = JSON.parse(failure.user_ids) as string[];
        const member = byHash.get(failure.email_hash) ?? members.find((candidate) => candidate.userIds.some((id) => ids.includes(id)));
        return member ? [{ failure, member }] : [];
      });
      const outcomes = new Map<string, RecordOutcome>();
      const size = Math.max(1, connector.limits.batchSize);
      const unique = [...new Map(toSend.map((entry) => [entry.member.email, entry.member])).values()];
      for (let start = 0; start < unique.length; start += size) {
        const chunk = unique.slice(start, start + size);
        for (const outcome of await retried(() => session.apply(audience, { add: chunk, remove: [] }))) outcomes.set(outcome.email, outcome);
      }
      const sync: AudienceSyncReport = {
        connector: connector.id,
        mode: connector.modeOf(config),
        dryRun: false,
        snapshot: false,
        audience,
        membersPlanned: unique.length,
        plan: { add: unique.length, remove: 0, unchanged: 0, chunks: Math.ceil(unique.length / size) },
        outcomes: emptyOutcomes(),
        skipReasons: {},
        failureCodes: {},
        failedRecords: [],
        chunksResumed: 0,
        fullResync: false,
        recovered: 0,
        retries: counters.retries,
        rateLimitWaits: counters.rateLimitWaits,
        durationMs: 0,
      };
      const confirmed: Array<{ emailHash: string; userIds: string[]; rank: number }> = [];
      for (const failure of failures) {
        const entry = toSend.find((candidate) => candidate.failure === failure);
        const outcome = entry ? (outcomes.get(entry.member.email) ?? { email: entry.member.email, kind: 'failed', retryable: false, code: 'noOutcome' }) : undefined;
        if (!entry || !outcome) {
          await resolve(failure, 'user gone');
          continue;
        }
        sync.outcomes[outcome.kind] += 1;
        if (outcome.kind === 'added' || outcome.kind === 'alreadyMember') {
          confirmed.push({ emailHash: emailHash(entry.member.email), userIds: entry.member.userIds, rank: entry.member.rank });
          await resolve(failure, 'resolved');
        } else if (outcome.kind === 'failed') {
          sync.failureCodes[outcome.code] = (sync.failureCodes[outcome.code] ?? 0) + 1;
          const record: FailedRecord = { userIds: entry.member.userIds, emailHash: emailHash(entry.member.email), code: outcome.code, retryable: outcome.retryable, ...(outcome.reason ? { reason: outcome.reason } : {}) };
          sync.failedRecords?.push(record);
          await resolve(failure, 'failed again');
        } else if (outcome.kind === 'skipped') {
          sync.skipReasons[outcome.reason] = (sync.skipReasons[outcome.reason] ?? 0) + 1;
          await resolve(failure, `skipped (${outcome.reason})`);
        }
      }
      const stored = await store.getAudience({ campaign: run.campaign, destinationKey: destinationKey(destinationIndex, connector.id), name });
      // The snapshot (kept by the sync) now holds them too, so the next run does not send them again.
      if (stored && confirmed.length > 0 && (await store.loadSnapshot(stored.audienceId)).size > 0) await store.addToSnapshot(stored.audienceId, confirmed, retryRunId);
      sync.durationMs = Date.now() - started;
      const destination = destinations.get(destinationIndex) ?? { destinationIndex, connector: connector.id, mode: sync.mode, segments: [] };
      destinations.set(destinationIndex, destination);
      report.segments.push({ label, query, usersInSegment: failures.length, matched: toSend.length, unmatched: failures.length - toSend.length, members: unique.length, mergedDuplicates: 0, error: null });
      // One column per retried audience: earlier destinations get an empty entry in it.
      for (const other of destinations.values()) while (other.segments.length < report.segments.length - 1) other.segments.push({ segment: '', skippedBecause: 'not this destination' });
      destination.segments.push({ segment: label, sync });
    } finally {
      await session.close?.();
    }
  }
  const synced = [...destinations.values()].sort((a, b) => a.destinationIndex - b.destinationIndex);
  for (const destination of synced) while (destination.segments.length < report.segments.length) destination.segments.push({ segment: '', skippedBecause: 'not this destination' });
  report.destinations = synced;
  report.durationMs = Date.now() - started.getTime();
  await recordRunHistory(store, report, { resolveEarlierFailures: false });
  const failedAgain = resolutions['failed again'] ?? 0;
  await store.finishRun(retryRunId, { status: failedAgain > 0 ? 'failed' : 'succeeded', report, exitCode: failedAgain > 0 ? 1 : 0 });
  return { retryRunId, runId: run.runId, report, resolutions };
}
