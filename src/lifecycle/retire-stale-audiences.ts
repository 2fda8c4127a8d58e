/**
 * The lifecycle step of one destination in a run: the audiences the state store knows for this
 * campaign and destination that the run did not produce are retired by the destination's policy,
 * and the store remembers it (status `retired`, plus a row in `audience_retirements`).
 */
import type { Logger } from '../core/logger.js';
import { emailHash } from '../state/email-hash.js';
import { destinationKey, type StateStore } from '../state/state-store.js';
import type { ConnectorSession, DestinationConnector } from '../sync/destination-connector.js';
import { retireAudiences, type RetireCandidate, type RetiredAudienceReport } from './retire-audiences.js';

/** Outcomes after which an audience no longer counts as active. */
const RETIRED_OUTCOMES: ReadonlySet<RetiredAudienceReport['outcome']> = new Set(['kept', 'emptied', 'deleted', 'gone']);

export interface RetireStaleAudiencesOptions<Config extends { connector: string }> {
  store: StateStore;
  connector: DestinationConnector<Config>;
  config: Config;
  session: ConnectorSession;
  campaign: string;
  runId: string;
  destinationIndex: number;
  /** Audience names every segment of this run renders to, failed segments included (those are not retired). */
  wanted: readonly string[];
  /** Members of the audiences this run synced in this destination, and how many audiences. */
  active: { members: number; audiences: number };
  dryRun: boolean;
  logger: Logger;
  signal?: AbortSignal;
}

/** Retires the destination's stale audiences; returns what became of each. */
export async function retireStaleAudiences<Config extends { connector: string }>(options: RetireStaleAudiencesOptions<Config>): Promise<RetiredAudienceReport[]> {
  const { store } = options;
  const key = destinationKey(options.destinationIndex, options.connector.id);
  const wanted = new Set(options.wanted.map(sameName));
  const stale = await store.db
    .selectFrom('audiences')
    .selectAll()
    .where('campaign', '=', options.campaign)
    .where('destination_key', '=', key)
    .where('status', '=', 'active')
    .execute();
  const retiring = stale.filter((audience) => !wanted.has(sameName(audience.name)));
  if (retiring.length === 0) return [];

  const candidates: RetireCandidate[] = [];
  for (const audience of retiring) {
    const snapshot = await store.loadSnapshot(audience.audience_id);
    const last = await store.db
      .selectFrom('run_results')
      .select(['query', 'members'])
      .where('campaign', '=', options.campaign)
      .where('destination_index', '=', options.destinationIndex)
      .where('audience', '=', audience.name)
      .where('outcome', '!=', 'dry run')
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    candidates.push({
      name: audience.name,
      query: last?.query ?? '',
      ...(audience.location ? { location: audience.location } : {}),
      lastKnownMembers: snapshot.size > 0 ? snapshot.size : (last?.members ?? 0),
      ...(snapshot.size > 0 ? { isOwned: (email: string) => snapshot.has(emailHash(email)) } : {}),
    });
  }
  const reports = await retireAudiences({
    connector: options.connector,
    config: options.config,
    destinationIndex: options.destinationIndex,
    session: options.session,
    campaign: options.campaign,
    runId: options.runId,
    candidates,
    activeMembers: options.active.members,
    activeAudiences: options.active.audiences,
    dryRun: options.dryRun,
    logger: options.logger,
    signal: options.signal,
  });
  if (options.dryRun) return reports;

  const now = new Date().toISOString();
  for (const report of reports) {
    const audience = retiring.find((candidate) => candidate.name === report.audience);
    if (!audience) continue;
    await store.db
      .insertInto('audience_retirements')
      .values({
        audience_id: audience.audience_id,
        run_id: options.runId,
        retired_at: now,
        policy: report.policy,
        outcome: report.outcome,
        removed: report.removed,
        message: report.message ?? null,
      })
      .onConflict((conflict) => conflict.columns(['audience_id', 'run_id']).doNothing())
      .execute();
    if (RETIRED_OUTCOMES.has(report.outcome)) {
      await store.db.updateTable('audiences').set({ status: 'retired' }).where('audience_id', '=', audience.audience_id).execute();
      if (report.outcome !== 'kept') await store.clearSnapshot(audience.audience_id);
    }
  }
  return reports;
}

/**
 * A name as connectors compare it: case, accents and punctuation aside (a file audience is stored
 * by its file stem, `shop-jewelry`, while its template renders `shop jewelry`).
 */
function sameName(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
