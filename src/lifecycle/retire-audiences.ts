/**
 * Audience lifecycle: the audiences a campaign made earlier that this run no longer produces (a
 * query removed, an item no longer overstocked) follow their destination's `retire:` policy —
 * kept, emptied of the members this campaign put there, or deleted. Planned and guarded first
 * (dry runs stop there), then applied one audience at a time with the sync engine's retry policy.
 */
import { isUserFacing } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { normalizeEmail } from '../identity/normalize-email.js';
import type { AudienceRef, ConnectorSession, DestinationConnector } from '../sync/destination-connector.js';
import { createRateLimiter } from '../sync/rate-limiter.js';
import { DEFAULT_MAX_REMOVAL_SHARE, MASS_REMOVAL_MIN_MEMBERS } from '../sync/sync-audience.js';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from '../sync/with-retry.js';
import { effectiveRetirePolicy, type RetirePolicy } from './retire-policy.js';

/** An audience of this campaign and destination that the run did not produce. */
export interface RetireCandidate {
  /** Rendered audience name (tag, list name, file name before it became a stem). */
  name: string;
  /** The query the audience was made for. */
  query: string;
  /** Where it lives, as the store remembers it. */
  location?: string;
  /** Members at its last sync, for connectors that cannot list members (files). */
  lastKnownMembers?: number;
  /**
   * Whether this campaign put the member there (the state's snapshot); when absent, every member of
   * the tag or list counts as the campaign's (it owns the tag or list it syncs).
   */
  isOwned?: (email: string) => boolean;
}

/** What became of one retired audience. */
export interface RetiredAudienceReport {
  destinationIndex: number;
  connector: string;
  audience: string;
  query: string;
  /** Where it lives (a file path, a Mailchimp audience and tag, a HubSpot list). */
  location?: string;
  policy: RetirePolicy;
  /**
   * `kept` (policy keep), `emptied`, `deleted`, `gone` (no longer in the destination),
   * `refused` (the mass-removal guard), `failed` (the destination said no; retried next run).
   * In a dry run, what would happen.
   */
  outcome: 'kept' | 'emptied' | 'deleted' | 'gone' | 'refused' | 'failed';
  /** Members removed (a dry run: that would be). */
  removed: number;
  dryRun: boolean;
  /** Why it was refused or failed. */
  message?: string;
}

/** Everything one destination's retire step needs. */
export interface RetireAudiencesOptions<Config extends { connector: string }> {
  connector: DestinationConnector<Config>;
  config: Config;
  destinationIndex: number;
  /** An open session of the destination (the caller closes it). */
  session: ConnectorSession;
  campaign: string;
  runId: string;
  candidates: readonly RetireCandidate[];
  /** Members of the audiences this run produced in this destination (the guard's other side). */
  activeMembers: number;
  /** Audiences this run produced in this destination. */
  activeAudiences: number;
  dryRun: boolean;
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  signal?: AbortSignal;
}

interface Planned {
  candidate: RetireCandidate;
  audience?: AudienceRef;
  /** Emails to remove (connectors that list members). */
  emails: string[];
  removes: number;
}

/**
 * Retires the candidates of one destination. Never throws for a destination's refusal: each
 * audience's outcome is returned.
 *
 * Mass-removal guard (as for mirror syncs): when emptying or deleting would remove more than
 * `maxRemovalShare` (default 0.5) of the campaign's members in this destination (the retired
 * audiences' plus this run's) and more than 100 members, or when the run produced no audience at
 * all there, nothing is retired and every candidate is `refused` (kept active, tried again next run).
 */
export async function retireAudiences<Config extends { connector: string }>(options: RetireAudiencesOptions<Config>): Promise<RetiredAudienceReport[]> {
  const { connector, config, session, dryRun } = options;
  const logger = options.logger ?? silentLogger;
  const policy = effectiveRetirePolicy(connector.retirePolicyOf?.(config), connector.modeOf(config), connector.audienceNameOf(config));
  const base = { destinationIndex: options.destinationIndex, connector: connector.id, policy, dryRun };
  if (options.candidates.length === 0) return [];
  if (policy === 'keep') {
    return options.candidates.map((candidate) => ({ ...base, audience: candidate.name, query: candidate.query, ...(candidate.location ? { location: candidate.location } : {}), outcome: 'kept', removed: 0 }));
  }
  const limiter = createRateLimiter(connector.limits.requestsPerInterval);
  const retried = <T>(call: () => Promise<T>): Promise<T> =>
    withRetry(call, { policy: { ...DEFAULT_RETRY_POLICY, ...options.retry }, limiter, counters: { retries: 0, rateLimitWaits: 0 }, signal: options.signal });

  const reports: RetiredAudienceReport[] = [];
  const planned: Planned[] = [];
  for (const candidate of options.candidates) {
    const report = (outcome: RetiredAudienceReport['outcome'], extra: Partial<RetiredAudienceReport> = {}): RetiredAudienceReport => ({
      ...base,
      audience: candidate.name,
      query: candidate.query,
      ...(candidate.location ? { location: candidate.location } : {}),
      outcome,
      removed: 0,
      ...extra,
    });
    try {
      const spec = { name: candidate.name, campaign: options.campaign, query: candidate.query, runId: options.runId };
      const audience = await retried(() => session.ensureAudience(spec, { dryRun: true }));
      if (audience.id === '' || audience.created) {
        reports.push(report('gone', audience.location ? { location: audience.location } : {}));
        continue;
      }
      const listMembers = session.listMembers?.bind(session);
      let emails: string[] = [];
      if (listMembers) {
        const all: string[] = await retried(async () => {
          const collected: string[] = [];
          for await (const page of listMembers(audience)) collected.push(...page.map(normalizeEmail));
          return collected;
        });
        emails = candidate.isOwned ? all.filter((email) => candidate.isOwned!(email)) : all;
      }
      planned.push({ candidate, audience, emails, removes: listMembers ? emails.length : (candidate.lastKnownMembers ?? 0) });
    } catch (error) {
      if (!isUserFacing(error)) throw error;
      reports.push(report('failed', { message: error.message }));
    }
  }

  const removing = planned.reduce((sum, entry) => sum + entry.removes, 0);
  const share = connector.maxRemovalShareOf?.(config) ?? DEFAULT_MAX_REMOVAL_SHARE;
  const refusal = retireRefusal(removing, options.activeMembers, options.activeAudiences, share, planned.length);
  for (const entry of planned) {
    const { candidate, audience } = entry;
    const done = (outcome: RetiredAudienceReport['outcome'], extra: Partial<RetiredAudienceReport> = {}): void => {
      const location = audience?.location ?? candidate.location;
      reports.push({ ...base, audience: candidate.name, query: candidate.query, ...(location ? { location } : {}), outcome, removed: 0, ...extra });
    };
    const action = policy === 'delete' && session.deleteAudience ? 'deleted' : 'emptied';
    if (refusal !== undefined) {
      done('refused', { message: refusal });
      continue;
    }
    if (dryRun || !audience) {
      done(action, { removed: entry.removes });
      continue;
    }
    try {
      const removed = action === 'deleted' ? await deleteAudience(session, audience, entry.removes, retried) : await emptyAudience(session, audience, entry, options, retried);
      done(action, { removed });
      logger.info({ connector: connector.id, outcome: action, removed }, 'audience retired');
    } catch (error) {
      if (!isUserFacing(error)) throw error;
      done('failed', { message: error.message });
    }
  }
  if (refusal !== undefined) logger.warn({ connector: connector.id, removing, activeMembers: options.activeMembers, share }, 'retire refused');
  return reports;
}

/** Why retiring must not run now, or undefined. */
function retireRefusal(removing: number, activeMembers: number, activeAudiences: number, share: number, audiences: number): string | undefined {
  if (audiences === 0) return undefined;
  if (activeAudiences === 0 && removing > 0) {
    return `this run produced no audience in this destination; refusing to retire ${audiences === 1 ? 'its last audience' : `all ${audiences} of its audiences`} (${removing} members) — check the campaign's queries and data`;
  }
  const total = removing + activeMembers;
  if (removing > MASS_REMOVAL_MIN_MEMBERS && removing > share * total) {
    const percent = (value: number): string => `${Math.round(value * 1000) / 10}%`;
    return (
      `retiring would remove ${removing} of the campaign's ${total} members in this destination (${percent(removing / total)}), ` +
      `more than maxRemovalShare (${percent(share)}) and more than ${MASS_REMOVAL_MIN_MEMBERS} members — raise maxRemovalShare (0–1), or set retire: keep`
    );
  }
  return undefined;
}

async function deleteAudience(session: ConnectorSession, audience: AudienceRef, members: number, retried: <T>(call: () => Promise<T>) => Promise<T>): Promise<number> {
  await retried(() => session.deleteAudience!(audience));
  return members;
}

/** Removes the planned members in chunks; a snapshot connector (files) is rewritten with no member. */
async function emptyAudience(
  session: ConnectorSession,
  audience: AudienceRef,
  entry: Planned,
  options: Pick<RetireAudiencesOptions<{ connector: string }>, 'connector' | 'campaign' | 'runId'>,
  retried: <T>(call: () => Promise<T>) => Promise<T>,
): Promise<number> {
  if (!session.listMembers) {
    const spec = { name: entry.candidate.name, campaign: options.campaign, query: entry.candidate.query, runId: options.runId };
    const opened = await session.ensureAudience(spec, { dryRun: false });
    await session.commit?.(opened, { spec, members: 0, outcomes: { added: 0, alreadyMember: 0, removed: entry.removes, skipped: 0, failed: 0 } });
    return entry.removes;
  }
  let removed = 0;
  const size = Math.max(1, options.connector.limits.batchSize);
  for (let start = 0; start < entry.emails.length; start += size) {
    const chunk = entry.emails.slice(start, start + size);
    const outcomes = await retried(() => session.apply(audience, { add: [], remove: chunk }));
    removed += outcomes.filter((outcome) => outcome.kind === 'removed').length;
  }
  return removed;
}
