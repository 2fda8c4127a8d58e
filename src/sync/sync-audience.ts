/**
 * The sync engine: makes one destination audience follow one resolved segment. Connectors only
 * know small verbs (`ensureAudience`, `listMembers`, `apply`); the engine plans the chunks,
 * diffs (mirror mode), keeps to the connector's limits, retries, checkpoints and reports.
 */
import pLimit from 'p-limit';
import type { AudienceMember } from '../identity/identity-resolver.js';
import { normalizeEmail } from '../identity/normalize-email.js';
import { ConfigError, PermanentError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import {
  SYNC_MODES,
  type ApplyBatch,
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
import { createRateLimiter } from './rate-limiter.js';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryCounters, type RetryPolicy } from './with-retry.js';

/**
 * Per-chunk checkpoints of one audience sync (the queue keeps them in Redis). Chunk indices are
 * deterministic: add chunks `0…A-1` are the segment's members by rank, sliced by the connector's
 * `batchSize`; removal chunks `A…` follow.
 */
export interface ChunkProgress {
  isDone(chunkIndex: number): boolean | Promise<boolean>;
  markDone(chunkIndex: number, outcomes: RecordOutcome[]): Promise<void>;
}

/** Default of {@link SyncAudienceOptions.maxRemovalShare}: a mirror sync may remove at most half the audience. */
export const DEFAULT_MAX_REMOVAL_SHARE = 0.5;

/** The mass-removal guard only applies when a mirror sync would remove more than this many members. */
export const MASS_REMOVAL_MIN_MEMBERS = 100;

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

/** The plan of one audience sync, as counted before any write. */
export interface AudienceSyncPlan {
  /** Members to add (mirror: not yet in the audience; additive: every member). */
  add: number;
  /** Members to remove (mirror only: in the audience, no longer in the segment). */
  remove: number;
  /** Members already in the audience (mirror only; the connector is not asked about them). */
  unchanged: number;
  /** Chunks of at most `limits.batchSize` records. */
  chunks: number;
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
  /** Retries after a TransientError. */
  retries: number;
  /** Waits after a RateLimitedError (not counted as attempts). */
  rateLimitWaits: number;
  durationMs: number;
}

interface PlannedChunk {
  index: number;
  batch: ApplyBatch;
  /** Members of this chunk's slice that are already in the audience (mirror). */
  unchanged: string[];
  /** False for removal chunks: they are planned from the live diff, which already leaves out what an earlier attempt removed. */
  skippableWhenDone: boolean;
}

const emptyOutcomes = (): Record<OutcomeKind, number> => ({ added: 0, alreadyMember: 0, removed: 0, skipped: 0, failed: 0 });

/**
 * Syncs one audience.
 *
 * Mirror mode diffs the segment against `session.listMembers` (add = desired − current,
 * remove = current − desired); a connector without `listMembers` writes snapshots and gets every
 * member. Chunks run `limits.concurrency` at a time within `limits.requestsPerInterval`.
 * On success the session is committed; when a chunk fails for good, no new chunk starts, the
 * session is aborted and the error is rethrown.
 *
 * Mirror safety, checked after the diff and before any write (in a dry run too): an empty segment
 * never empties an audience that has members, and a sync that would remove more than
 * `maxRemovalShare` of the current members and more than {@link MASS_REMOVAL_MIN_MEMBERS} is refused.
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
  const current = mirror && listMembers && audience.id !== '' && !audience.created
    ? await retried(async () => collectEmails(listMembers(audience)), options.signal)
    : new Set<string>();

  const chunks = planChunks(desired, current, connector.limits.batchSize);
  const plan: AudienceSyncPlan = {
    add: chunks.reduce((sum, chunk) => sum + chunk.batch.add.length, 0),
    remove: chunks.reduce((sum, chunk) => sum + chunk.batch.remove.length, 0),
    unchanged: chunks.reduce((sum, chunk) => sum + chunk.unchanged.length, 0),
    chunks: chunks.length,
  };
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
  logger.info({ connector: connector.id, mode, dryRun, members: desired.length, ...plan }, 'audience sync planned');
  if (dryRun) return finish();

  const resumable = connector.capabilities.resumable ?? true;
  const stop = new AbortController();
  const onOuterAbort = (): void => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let firstError: Error | undefined;
  let done = 0;
  const limit = pLimit(Math.max(1, connector.limits.concurrency));

  const runChunk = async (chunk: PlannedChunk): Promise<void> => {
    if (stop.signal.aborted) return;
    if (resumable && chunk.skippableWhenDone && progress && (await progress.isDone(chunk.index))) {
      report.chunksResumed += 1;
    } else {
      const outcomes = chunk.unchanged.map((email): RecordOutcome => ({ email, kind: 'alreadyMember' }));
      if (chunk.batch.add.length + chunk.batch.remove.length > 0) {
        const answered = await retried(() => session.apply(audience, chunk.batch), stop.signal);
        outcomes.push(...completeOutcomes(chunk.batch, answered));
      }
      count(report, outcomes, desiredByEmail);
      await progress?.markDone(chunk.index, outcomes);
    }
    done += 1;
    options.onChunk?.({ done, total: chunks.length });
  };

  await Promise.all(
    chunks.map((chunk) =>
      // Caught inside the task, so the stop flag is set before p-limit starts the next chunk.
      limit(async () => {
        try {
          await runChunk(chunk);
        } catch (error) {
          firstError ??= error instanceof Error ? error : new Error(String(error));
          stop.abort(error);
        }
      }),
    ),
  );
  options.signal?.removeEventListener('abort', onOuterAbort);
  if (firstError === undefined && options.signal?.aborted) firstError = new Error('audience sync stopped', { cause: options.signal.reason });

  if (firstError !== undefined) {
    const stopped = options.signal?.aborted === true;
    logger[stopped ? 'info' : 'warn']({ connector: connector.id, error: errorName(firstError), chunksDone: done, chunks: chunks.length }, stopped ? 'audience sync stopped' : 'audience sync failed');
    await session.abort?.(audience);
    throw firstError;
  }
  await session.commit?.(audience, { spec, members: desired.length, outcomes: { ...report.outcomes } });
  logger.info({ connector: connector.id, ...report.outcomes, chunksResumed: report.chunksResumed, retries: counters.retries }, 'audience synced');
  return finish();
}

/** Why a mirror sync must not run (an empty segment, a mass removal), or undefined when it may. */
function mirrorRefusal(members: number, current: number, remove: number, maxRemovalShare: number, audience: AudienceRef): string | undefined {
  if (members === 0 && current > 0) {
    return `the segment is empty; refusing to remove all ${current} members of ${audience.name} in mirror mode — check the datasets`;
  }
  if (remove > MASS_REMOVAL_MIN_MEMBERS && remove > maxRemovalShare * current) {
    const percent = (share: number): string => `${Math.round(share * 1000) / 10}%`;
    return (
      `refusing to remove ${remove} of the ${current} members (${percent(remove / current)}) of ${audience.name} in mirror mode: ` +
      `more than maxRemovalShare (${percent(maxRemovalShare)}) and more than ${MASS_REMOVAL_MIN_MEMBERS} members — check the datasets, or raise maxRemovalShare (0–1) in this destination`
    );
  }
  return undefined;
}

/** One member per email (the first by rank), ordered by rank then email. */
function normaliseMembers(members: readonly AudienceMember[]): AudienceMember[] {
  const byEmail = new Map<string, AudienceMember>();
  for (const member of [...members].sort(byRank)) {
    if (!byEmail.has(member.email)) byEmail.set(member.email, member);
  }
  return [...byEmail.values()];
}

function byRank(a: AudienceMember, b: AudienceMember): number {
  return a.rank - b.rank || (a.email < b.email ? -1 : a.email > b.email ? 1 : 0);
}

async function collectEmails(pages: AsyncIterable<string[]>): Promise<Set<string>> {
  const emails = new Set<string>();
  for await (const page of pages) for (const email of page) emails.add(normalizeEmail(email));
  return emails;
}

/** Add chunks are slices of the desired members (stable indices); removal chunks follow. */
function planChunks(desired: AudienceMember[], current: ReadonlySet<string>, batchSize: number): PlannedChunk[] {
  const size = Math.max(1, batchSize);
  const chunks: PlannedChunk[] = [];
  for (let start = 0; start < desired.length; start += size) {
    const slice = desired.slice(start, start + size);
    chunks.push({
      index: chunks.length,
      batch: { add: slice.filter((member) => !current.has(member.email)), remove: [] },
      unchanged: slice.filter((member) => current.has(member.email)).map((member) => member.email),
      skippableWhenDone: true,
    });
  }
  const wanted = new Set(desired.map((member) => member.email));
  const stale = [...current].filter((email) => !wanted.has(email)).sort();
  for (let start = 0; start < stale.length; start += size) {
    chunks.push({ index: chunks.length, batch: { add: [], remove: stale.slice(start, start + size) }, unchanged: [], skippableWhenDone: false });
  }
  return chunks;
}

/** Keeps one outcome per record of the batch; a record the connector did not answer for counts as failed. */
function completeOutcomes(batch: ApplyBatch, answered: RecordOutcome[]): RecordOutcome[] {
  const expected = new Set([...batch.add.map((member) => member.email), ...batch.remove]);
  const seen = new Set<string>();
  const outcomes: RecordOutcome[] = [];
  for (const outcome of answered) {
    if (!expected.has(outcome.email) || seen.has(outcome.email)) continue;
    seen.add(outcome.email);
    outcomes.push(outcome);
  }
  for (const email of expected) {
    if (!seen.has(email)) outcomes.push({ email, kind: 'failed', retryable: false, code: 'noOutcome' });
  }
  return outcomes;
}

function count(report: AudienceSyncReport, outcomes: RecordOutcome[], members: ReadonlyMap<string, AudienceMember>): void {
  for (const outcome of outcomes) {
    report.outcomes[outcome.kind] += 1;
    if (outcome.kind === 'skipped') report.skipReasons[outcome.reason] = (report.skipReasons[outcome.reason] ?? 0) + 1;
    if (outcome.kind === 'failed') {
      report.failureCodes[outcome.code] = (report.failureCodes[outcome.code] ?? 0) + 1;
      if ((report.failedRecords ??= []).length < MAX_FAILED_RECORDS_PER_AUDIENCE) {
        report.failedRecords.push({
          userIds: members.get(outcome.email)?.userIds ?? [],
          emailHash: emailHash(outcome.email),
          code: outcome.code,
          retryable: outcome.retryable,
          ...(outcome.reason ? { reason: outcome.reason } : {}),
        });
      }
    }
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
