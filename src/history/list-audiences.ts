/**
 * Every audience the campaigns made: active and retired, where each lives, and its size at the
 * last run (`affinity-sync audiences`, the console's audience list).
 */
import type { StateStore } from '../state/state-store.js';

export interface AudienceEntry {
  audienceId: string;
  campaign: string;
  /** `<destination index>:<connector>`. */
  destinationKey: string;
  connector: string;
  name: string;
  /** Vendor id: Mailchimp segment id, HubSpot list id, file path. */
  externalId: string;
  /** Where to find it: Mailchimp audience id and tag, HubSpot list id, file path. */
  location: string | null;
  status: 'active' | 'retired';
  createdAt: string;
  /** Last run that synced it, and when. */
  lastRunId: string | null;
  lastSyncedAt: string | null;
  /** Members at its last sync (the state's snapshot, else the last run's count). */
  members: number;
  /** For a retired audience: when, by which run, by which policy and with what outcome. */
  retired: { runId: string; at: string; policy: string; outcome: string; removed: number } | null;
}

/** Audiences of one campaign or all, active first, then by campaign and name. */
export async function listAudiences(store: StateStore, options: { campaign?: string } = {}): Promise<AudienceEntry[]> {
  let query = store.db.selectFrom('audiences').selectAll();
  if (options.campaign) query = query.where('campaign', '=', options.campaign);
  const audiences = await query.orderBy('status').orderBy('campaign').orderBy('name').execute();
  const entries: AudienceEntry[] = [];
  for (const audience of audiences) {
    const snapshot = await store.db
      .selectFrom('audience_members')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('audience_id', '=', audience.audience_id)
      .executeTakeFirst();
    const members = await lastRunMembers(store, audience.campaign, audience.name);
    const retirement = audience.status === 'retired'
      ? await store.db
          .selectFrom('audience_retirements')
          .selectAll()
          .where('audience_id', '=', audience.audience_id)
          .where('outcome', 'in', ['kept', 'emptied', 'deleted', 'gone'])
          .orderBy('retired_at', 'desc')
          .limit(1)
          .executeTakeFirst()
      : undefined;
    const snapshotSize = Number(snapshot?.count ?? 0);
    entries.push({
      audienceId: audience.audience_id,
      campaign: audience.campaign,
      destinationKey: audience.destination_key,
      connector: audience.connector,
      name: audience.name,
      externalId: audience.external_id,
      location: audience.location,
      status: audience.status,
      createdAt: audience.created_at,
      lastRunId: audience.last_run_id,
      lastSyncedAt: audience.last_synced_at,
      members: audience.status === 'retired' && retirement && retirement.outcome !== 'kept' ? 0 : snapshotSize > 0 ? snapshotSize : members,
      retired: retirement ? { runId: retirement.run_id, at: retirement.retired_at, policy: retirement.policy, outcome: retirement.outcome, removed: retirement.removed } : null,
    });
  }
  return entries;
}

/** Members after the audience's last sync: its last campaign run's count plus what `retry-failed` added since. */
async function lastRunMembers(store: StateStore, campaign: string, name: string): Promise<number> {
  const rows = await store.db
    .selectFrom('run_results')
    .innerJoin('runs', 'runs.run_id', 'run_results.run_id')
    .select(['run_results.members', 'run_results.added', 'runs.trigger'])
    .where('run_results.campaign', '=', campaign)
    .where('run_results.audience', '=', name)
    .where('run_results.outcome', '!=', 'dry run')
    .orderBy('run_results.started_at', 'desc')
    .limit(50)
    .execute();
  let retried = 0;
  for (const row of rows) {
    if (row.trigger !== 'retry') return row.members + retried;
    retried += row.added;
  }
  return retried;
}
