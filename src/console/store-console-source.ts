/**
 * The console's reads over the sync-state store: runs with their reports (alerts come from each
 * report), audiences with the members of their snapshot counted, and the members' email hashes
 * for the overlap.
 */
import type { CampaignReport } from '../pipeline/run-campaign.js';
import type { RunRecord, StateStore } from '../state/state-store.js';
import type { ConsoleAlert, ConsoleAudience, ConsoleRun, ConsoleSource } from './console-source.js';

/** How many audience ids go into one `IN (…)` list (SQLite allows 32,766 parameters; stay far below). */
const KEYS_PER_QUERY = 500;

/** A stored report is ours (written by `finishRun`); this only guards against a row from another version. */
function asReport(value: unknown): CampaignReport | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const report = value as Partial<CampaignReport>;
  return Array.isArray(report.segments) && Array.isArray(report.destinations) ? (report as CampaignReport) : undefined;
}

function alertsOf(record: RunRecord, report: CampaignReport | undefined): ConsoleAlert[] {
  return (report?.alerts ?? []).map((alert) => ({
    runId: record.runId,
    campaign: record.campaign,
    rule: alert.rule,
    message: alert.segment && !alert.message.includes(alert.segment) ? `${alert.segment}: ${alert.message}` : alert.message,
    firedAt: record.finishedAt ?? record.startedAt,
  }));
}

function toConsoleRun(record: RunRecord): ConsoleRun {
  const report = asReport(record.report);
  return {
    runId: record.runId,
    campaign: record.campaign,
    trigger: record.trigger,
    status: record.status,
    startedAt: record.startedAt,
    ...(record.finishedAt ? { finishedAt: record.finishedAt } : {}),
    dryRun: record.dryRun,
    ...(record.campaignFileHash ? { campaignFileHash: record.campaignFileHash } : {}),
    ...(report ? { report } : {}),
    ...(record.error ? { error: record.error } : {}),
    alerts: alertsOf(record, report),
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

export function storeConsoleSource(store: StateStore): ConsoleSource {
  return {
    listRuns: async (options = {}) => (await store.listRuns(options)).map(toConsoleRun),
    getRun: async (runId) => {
      const record = await store.getRun(runId);
      return record ? toConsoleRun(record) : undefined;
    },
    listAudiences: async (campaign) => {
      let query = store.db
        .selectFrom('audiences')
        .leftJoin('audience_members', 'audience_members.audience_id', 'audiences.audience_id')
        .select((eb) => [
          'audiences.audience_id',
          'audiences.campaign',
          'audiences.destination_key',
          'audiences.connector',
          'audiences.name',
          'audiences.external_id',
          'audiences.status',
          'audiences.last_run_id',
          eb.fn.count<number | string | bigint>('audience_members.email_hash').as('members'),
        ])
        .groupBy(['audiences.audience_id', 'audiences.campaign', 'audiences.destination_key', 'audiences.connector', 'audiences.name', 'audiences.external_id', 'audiences.status', 'audiences.last_run_id'])
        .where('audiences.external_id', '!=', '')
        .orderBy('audiences.campaign')
        .orderBy('audiences.destination_key')
        .orderBy('audiences.created_at');
      if (campaign !== undefined) query = query.where('audiences.campaign', '=', campaign);
      const rows = await query.execute();
      // A file audience has no snapshot (each run rewrites it whole): its members are those of the last run that wrote it.
      const lastRunMembers = async (row: (typeof rows)[number]): Promise<number> => {
        if (Number(row.members) > 0 || row.last_run_id === null) return Number(row.members);
        const result = await store.db
          .selectFrom('run_results')
          .select((eb) => eb.fn.sum<number | string | bigint>('members').as('members'))
          .where('run_id', '=', row.last_run_id)
          .where('destination_index', '=', Number.parseInt(row.destination_key, 10))
          .where('audience', '=', row.name)
          .executeTakeFirst();
        return Number(result?.members ?? 0);
      };
      const members = await Promise.all(rows.map(lastRunMembers));
      return rows.map(
        (row, index): ConsoleAudience => ({
          key: row.audience_id,
          campaign: row.campaign,
          connector: row.connector,
          destinationIndex: Number.parseInt(row.destination_key, 10),
          name: row.name,
          externalId: row.external_id,
          status: row.status,
          members: members[index] ?? 0,
        }),
      );
    },
    memberHashes: async (audienceKeys) => {
      const hashes = new Map<string, string[]>(audienceKeys.map((key) => [key, []]));
      for (const keys of chunks(audienceKeys, KEYS_PER_QUERY)) {
        const rows = await store.db.selectFrom('audience_members').select(['audience_id', 'email_hash']).where('audience_id', 'in', keys).execute();
        for (const row of rows) hashes.get(row.audience_id)?.push(row.email_hash);
      }
      return hashes;
    },
    close: () => store.close(),
  };
}
