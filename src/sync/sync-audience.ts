/**
 * The sync engine: makes one destination audience follow one resolved segment. Connectors only
 * know small verbs (`ensureAudience`, `listMembers`, `apply`); the engine plans the chunks
 * (`plan-audience-sync.ts`), applies them within the connector's limits with retries
 * (`apply-chunks.ts`), and confirms each one (`confirm-chunk.ts`) in the ledger (the audience's
 * snapshot in the state store) and the checkpoints.
 */
import type { AudienceMember } from '../identity/identity-resolver.js';
import { normalizeEmail } from '../identity/normalize-email.js';
import { ConfigError, PermanentError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { applyChunks } from './apply-chunks.js';
import { completeOutcomes, emptyOutcomes, tallyOutcomes } from './confirm-chunk.js';
import {
  SYNC_MODES,
  type AudienceRef,
  type AudienceSpec,
  type ConnectorSession,
  type DestinationConnector,
  type OutcomeKind,
  type RecordOutcome,
  type SyncMode,
} from './destination-connector.js';
import { MAX_FAILED_RECORDS_PER_AUDIENCE, type FailedRecord } from '../history/failed-record.js';
import { emailHash } from '../state/email-hash.js';
import {
  DEFAULT_MAX_REMOVAL_SHARE,
  mirrorRefusal,
  normaliseMembers,
  planAudienceChunks,
  type AudienceSyncPlan,
  type PlannedChunk,
} from './plan-audience-sync.js';
import { createRateLimiter } from './rate-limiter.js';
import type { OpenSyncLedger, SyncLedger } from './sync-ledger.js';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryCounters, type RetryPolicy } from './with-retry.js';

export { DEFAULT_MAX_REMOVAL_SHARE, MASS_REMOVAL_MIN_MEMBERS, type AudienceSyncPlan } from './plan-audience-sync.js';

/**
 * Per-chunk checkpoints of one audience sync (the queue keeps them in Redis, counts only).
 * Without a ledger, chunk indices are deterministic: add chunks `0…A-1` are the segment's members
 * by rank, sliced by the connector's `batchSize`; removal chunks `A…` follow, and a resumed run
 * skips the chunks marked done. With a ledger the snapshot decides what is left to send, and new
 * chunks are numbered after the ones already recorded (`nextChunkIndex`).
 */
export interface ChunkProgress {
  isDone(chunkIndex: number): boolean | Promise<boolean>;
  markDone(chunkIndex: number, outcomes: RecordOutcome[]): Promise<void>;
  /** The first index no earlier attempt recorded. @defaultValue 0 */
  nextChunkIndex?(): Promise<number>;
}

export interface SyncAudienceOptions<Config extends { connector: string } = { connector: string }> {
  connector: DestinationConnector<Config>;
  /** The destination entry of the campaign, already validated by `connector.configSchema`. */
  config: Config;
  /** An open session of `connector` for `config`. The caller closes it. */
  session: ConnectorSession;
  spec: AudienceSpec;
  /** The segment's members (one per email), by rank. */
  members: readonly AudienceMember[];
  /** Plan and count only: `ensureAudience({ dryRun: true })` and reads, never a write. */
  dryRun: boolean;
  /** Checkpoints, so a resumed run skips the chunks it already applied. */
  progress?: ChunkProgress;
  /**
   * The audience's ledger (snapshot in the state store), opened once the audience is found: a sync
   * then sends only members the snapshot lacks (mirror: the destination lacks), and a resumed one
   * checks the chunks left in flight against the destination instead of sending them again.
   */
  openLedger?: OpenSyncLedger;
  logger?: Logger;
  /** Overrides of {@link DEFAULT_RETRY_POLICY}. */
  retry?: Partial<RetryPolicy>;
  /** Stops the sync (no new chunk starts; waits are cut short); the sync then fails and aborts. */
  signal?: AbortSignal;
  /** Called after each applied or skipped chunk. */
  onChunk?: (event: { done: number; total: number }) => void;
  /**
   * Mass-removal guard of mirror mode, as a share of the audience's current members (0–1): a sync
   * that would remove more than this share AND more than {@link MASS_REMOVAL_MIN_MEMBERS} members
   * is refused with a PermanentError before any write (dry runs too). `1` turns the guard off.
   * An empty segment never empties an audience that has members, whatever this value.
   * @defaultValue 0.5 ({@link DEFAULT_MAX_REMOVAL_SHARE})
   */
  maxRemovalShare?: number;
}

/** What one audience sync did (or, in a dry run, would do). */
export interface AudienceSyncReport {
  connector: string;
  mode: SyncMode;
  dryRun: boolean;
  /**
   * True when the session has no `listMembers`: the connector writes a full snapshot that replaces
   * the audience (the file connector), so `plan.add` is every member and `plan.remove` is always 0
   * even when the audience exists — report it as "would write N members (replaces the file)".
   */
  snapshot: boolean;
  audience: AudienceRef;
  /** Members of the segment (the desired audience). */
  membersPlanned: number;
  plan: AudienceSyncPlan;
  /** Outcomes per kind; all zero in a dry run. Chunks skipped on resume are not counted here. */
  outcomes: Record<OutcomeKind, number>;
  /** `skipped` outcomes by reason. */
  skipReasons: Record<string, number>;
  /** `failed` outcomes by code. */
  failureCodes: Record<string, number>;
  /**
   * The failed records (USER_IDs and email hash, never the email), at most
   * {@link MAX_FAILED_RECORDS_PER_AUDIENCE}; the history moves them to its own table.
   */
  failedRecords?: FailedRecord[];
  /** Chunks skipped because an earlier attempt of this run had applied them. */
  chunksResumed: number;
  /** True when every member was sent (`--full-resync`, `fullResyncEvery`), not only the change. */
  fullResync: boolean;
  /** Members of chunks an interrupted attempt sent and never confirmed, found in the destination (not sent again). */
  recovered: number;
  /** Retries after a TransientError. */
  retries: number;
  /** Waits after a RateLimitedError (not counted as attempts). */
  rateLimitWaits: number;
  durationMs: number;
}

/**
 * Syncs one audience.
 *
 * Mirror mode diffs the segment against `session.listMembers` (add = desired − current,
 * remove = current − desired); a connector without `listMembers` writes snapshots and gets every
 * member. With a ledger, additive mode sends only members its snapshot lacks, and chunks an
 * interrupted attempt left in flight are checked against `listMembers` first. Add chunks run
 * `limits.concurrency` at a time within `limits.requestsPerInterval`; removal chunks start only
 * after every add chunk finished, so a connector whose identity is not the email (a HubSpot
 * contact with several emails) has resolved every kept contact before it removes anyone.
 * On success the session is committed; when a chunk fails for good, no new chunk starts, the
 * session is aborted and the error is rethrown.
 *
 * Mirror safety, checked after the diff and before any write (in a dry run too): an empty segment
 * never empties an audience that has members, and a sync that would remove more than
 * `maxRemovalShare` of the current members and more than `MASS_REMOVAL_MIN_MEMBERS` is refused.
 *
 * @throws PermanentError for a refused mirror sync (empty segment, mass removal); ConfigError for a
 * `maxRemovalShare` that is not a number ≥ 0; AuthError, ConfigError, PermanentError,
 * TransientError (attempts spent), RateLimitedError (waits spent) from the connector
 */
export async function syncAudience<Config extends { connector: string }>(options: SyncAudienceOptions<Config>): Promise<AudienceSyncReport> {
  const startedAt = Date.now();
  const { connector, config, session, spec, dryRun, progress } = options;
  const logger = options.logger ?? silentLogger;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const maxRemovalShare = options.maxRemovalShare ?? DEFAULT_MAX_REMOVAL_SHARE;
  if (!Number.isFinite(maxRemovalShare) || maxRemovalShare < 0) {
    throw new ConfigError([{ field: 'maxRemovalShare', message: `expected a share between 0 and 1, got ${String(maxRemovalShare)}` }]);
  }
  const limiter = createRateLimiter(connector.limits.requestsPerInterval);
  const counters: RetryCounters = { retries: 0, rateLimitWaits: 0 };
  const retried = <T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> =>
    withRetry(call, {
      policy,
      limiter,
      counters,
      signal,
      onRetry: (error, attempt) => logger.debug({ connector: connector.id, error: error.name, attempt }, 'retrying'),
    });

  const mode = connector.modeOf(config);
  const mirror = SYNC_MODES[mode].removesStale;
  const desired = normaliseMembers(options.members);
  const desiredByEmail = new Map(desired.map((member) => [member.email, member]));

  const audience = await retried(() => session.ensureAudience(spec, { dryRun }), options.signal);
  const listMembers = session.listMembers?.bind(session);
  const snapshot = listMembers === undefined;
  // A snapshot writer (the file connector) rewrites the whole audience: its ledger only records the audience and the sync.
  const audienceLedger = await options.openLedger?.(audience);
  const ledger: SyncLedger | undefined = snapshot ? undefined : audienceLedger;
  const exists = audience.id !== '' && !audience.created;
  const readDestination = listMembers !== undefined && exists && (mirror || (ledger?.inFlightSize ?? 0) > 0);
  const current = readDestination ? await retried(async () => collectEmails(listMembers(audience)), options.signal) : new Set<string>();
  const recovered = readDestination && ledger ? (await ledger.reconcile(current, desired)).recovered : 0;
  const fullResync = ledger?.fullResyncDue ?? false;

  const { adds, removals, plan } = planAudienceChunks({ desired, current, ledger, fullResync, removesStale: mirror, batchSize: connector.limits.batchSize });
  const refusal = mirror ? mirrorRefusal(desired.length, current.size, plan.remove, maxRemovalShare, audience) : undefined;
  if (refusal !== undefined) {
    logger.warn({ connector: connector.id, dryRun, members: desired.length, current: current.size, remove: plan.remove, maxRemovalShare }, 'mirror sync refused');
    if (!dryRun) await session.abort?.(audience);
    throw new PermanentError(refusal);
  }
  const report: AudienceSyncReport = {
    connector: connector.id,
    mode,
    dryRun,
    snapshot,
    audience,
    membersPlanned: desired.length,
    plan,
    outcomes: emptyOutcomes(),
    skipReasons: {},
    failureCodes: {},
    failedRecords: [],
    chunksResumed: 0,
    fullResync,
    recovered,
    retries: 0,
    rateLimitWaits: 0,
    durationMs: 0,
  };
  const finish = (): AudienceSyncReport => {
    report.retries = counters.retries;
    report.rateLimitWaits = counters.rateLimitWaits;
    report.durationMs = Date.now() - startedAt;
    return report;
  };
  logger.info({ connector: connector.id, mode, dryRun, members: desired.length, fullResync, recovered, ...plan }, 'audience sync planned');
  if (dryRun) return finish();

  const resumable = connector.capabilities.resumable ?? true;
  const indexBase = ledger ? ((await progress?.nextChunkIndex?.()) ?? 0) : 0;
  const total = adds.length + removals.length;
  let done = 0;
  // Members the ledger already holds are not sent, so they count as already in the audience.
  if (ledger) tallyOutcomes(report, desired.filter((member) => !fullResync && (current.has(member.email) || ledger.has(member.email))).map((member): RecordOutcome => ({ email: member.email, kind: 'alreadyMember' })));

  const runChunk = async (chunk: PlannedChunk, stop: AbortSignal): Promise<void> => {
    const index = indexBase + chunk.index;
    if (!ledger && resumable && chunk.skippableWhenDone && progress && (await progress.isDone(index))) {
      report.chunksResumed += 1;
    } else {
      if (ledger && progress) await progress.isDone(index); // lets a draining worker stop before the chunk
      const outcomes = chunk.unchanged.map((email): RecordOutcome => ({ email, kind: 'alreadyMember' }));
      if (chunk.batch.add.length + chunk.batch.remove.length > 0) {
        const chunkId = await ledger?.begin(chunk.batch.add);
        const answered = completeOutcomes(chunk.batch, await retried(() => session.apply(audience, chunk.batch), stop));
        if (chunkId !== undefined) await ledger?.confirm(chunkId, chunk.batch.add, answered);
        outcomes.push(...answered);
      }
      count(report, outcomes, desiredByEmail);
      await progress?.markDone(index, outcomes);
    }
    done += 1;
    options.onChunk?.({ done, total });
  };

  const concurrency = connector.limits.concurrency;
  const firstError =
    (await applyChunks(adds, { concurrency, signal: options.signal, run: runChunk })) ??
    (await applyChunks(removals, { concurrency, signal: options.signal, run: runChunk }));
  if (firstError !== undefined) {
    const stopped = options.signal?.aborted === true;
    logger[stopped ? 'info' : 'warn']({ connector: connector.id, error: errorName(firstError), chunksDone: done, chunks: total }, stopped ? 'audience sync stopped' : 'audience sync failed');
    await session.abort?.(audience);
    throw firstError;
  }
  await session.commit?.(audience, { spec, members: desired.length, outcomes: { ...report.outcomes } });
  await audienceLedger?.finish({ fullSync: fullResync || snapshot });
  logger.info({ connector: connector.id, ...report.outcomes, chunksResumed: report.chunksResumed, recovered, retries: counters.retries }, 'audience synced');
  return finish();
}

async function collectEmails(pages: AsyncIterable<string[]>): Promise<Set<string>> {
  const emails = new Set<string>();
  for await (const page of pages) for (const email of page) emails.add(normalizeEmail(email));
  return emails;
}

function count(report: AudienceSyncReport, outcomes: RecordOutcome[], members: ReadonlyMap<string, AudienceMember>): void {
  tallyOutcomes(report, outcomes);
  for (const outcome of outcomes) {
    if (outcome.kind !== 'failed' || (report.failedRecords ??= []).length >= MAX_FAILED_RECORDS_PER_AUDIENCE) continue;
    report.failedRecords.push({
      userIds: members.get(outcome.email)?.userIds ?? [],
      emailHash: emailHash(outcome.email),
      code: outcome.code,
      retryable: outcome.retryable,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
    });
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
