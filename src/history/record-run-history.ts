/**
 * Writes a finished run into the history tables: one row per segment × destination, the failed
 * records, the audiences it retired (and brought back), and what became of the failed records of
 * earlier runs that this run tried again.
 */
import type { CampaignReport } from '../pipeline/run-campaign.js';
import { destinationKey, type StateStore } from '../state/state-store.js';
import type { RunResultsTable } from '../state/database.js';

/** The rows of `run_results` for a report. */
export function runResultRows(report: CampaignReport): RunResultsTable[] {
  const rows: RunResultsTable[] = [];
  for (const destination of report.destinations) {
    for (const [segmentIndex, segment] of report.segments.entries()) {
      const base = {
        run_id: report.runId,
        campaign: report.campaign,
        started_at: report.startedAt,
        destination_index: destination.destinationIndex,
        connector: destination.connector,
        segment_index: segmentIndex,
        segment: segment.label,
        query: segment.query,
        audience: null,
        location: null,
        members: 0,
        added: 0,
        already_member: 0,
        removed: 0,
        skipped: 0,
        failed: 0,
        skip_reasons: '{}',
        failure_codes: '{}',
        error: null,
      };
      if ('error' in destination) {
        rows.push({ ...base, outcome: 'failed', error: destination.error });
        continue;
      }
      const entry = destination.segments[segmentIndex];
      if (!entry?.sync) {
        const notSynced = entry?.skippedBecause ?? (entry?.deferred ? `${entry.deferred.quota} reached, retry after ${entry.deferred.retryAfter}` : undefined);
        rows.push({ ...base, outcome: notSynced !== undefined ? 'not synced' : 'failed', error: entry?.error ?? notSynced ?? null });
        continue;
      }
      const { sync } = entry;
      const outcomes = sync.outcomes;
      rows.push({
        ...base,
        audience: sync.audience.name,
        location: sync.audience.location ?? null,
        outcome: sync.dryRun ? 'dry run' : outcomes.failed > 0 ? 'partly failed' : 'synced',
        members: sync.dryRun ? sync.membersPlanned : outcomes.added + outcomes.alreadyMember,
        added: outcomes.added,
        already_member: outcomes.alreadyMember,
        removed: outcomes.removed,
        skipped: outcomes.skipped,
        failed: outcomes.failed,
        skip_reasons: JSON.stringify(sync.skipReasons),
        failure_codes: JSON.stringify(sync.failureCodes),
        error: entry.error ?? null,
      });
    }
  }
  return rows;
}

/**
 * Records the run's results, failed records and retirements. The failed records move from the
 * report into `record_failures` (the report keeps their counts by code). Dry runs record their
 * results only.
 */
export async function recordRunHistory(store: StateStore, report: CampaignReport, options: { resolveEarlierFailures?: boolean } = {}): Promise<void> {
  const resolveEarlier = options.resolveEarlierFailures ?? true;
  if (!report.dryRun) await rememberAudiences(store, report);
  const db = store.db;
  const rows = runResultRows(report);
  const now = new Date().toISOString();
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('run_results').where('run_id', '=', report.runId).execute();
    for (const row of rows) await trx.insertInto('run_results').values(row).execute();
    if (report.dryRun) return;

    const failures = new Map<string, Array<{ userIds: string[]; code: string }>>();
    for (const destination of report.destinations) {
      if ('error' in destination) continue;
      for (const entry of destination.segments) {
        const sync = entry.sync;
        if (!sync) continue;
        const records = sync.failedRecords ?? [];
        delete sync.failedRecords;
        const key = `${destination.destinationIndex}\n${sync.audience.name}`;
        failures.set(key, records.map((record) => ({ userIds: record.userIds, code: record.code })));
        for (const record of records) {
          await trx
            .insertInto('record_failures')
            .values({
              run_id: report.runId,
              campaign: report.campaign,
              destination_index: destination.destinationIndex,
              connector: destination.connector,
              audience: sync.audience.name,
              email_hash: record.emailHash,
              user_ids: JSON.stringify(record.userIds),
              code: record.code,
              reason: record.reason ?? null,
              retryable: record.retryable ? 1 : 0,
              created_at: now,
              retried_by_run_id: null,
              resolution: null,
            })
            .onConflict((conflict) => conflict.columns(['run_id', 'destination_index', 'audience', 'email_hash']).doNothing())
            .execute();
        }
        if (!resolveEarlier) continue;
        // Open failures of earlier runs in this audience were sent again by this sync (they are not in its snapshot).
        const failedNow = new Set(records.map((record) => record.emailHash));
        const open = await trx
          .selectFrom('record_failures')
          .select(['run_id', 'email_hash'])
          .where('campaign', '=', report.campaign)
          .where('destination_index', '=', destination.destinationIndex)
          .where('audience', '=', sync.audience.name)
          .where('resolution', 'is', null)
          .where('run_id', '!=', report.runId)
          .execute();
        const audience = await trx
          .selectFrom('audiences')
          .select('audience_id')
          .where('campaign', '=', report.campaign)
          .where('destination_key', '=', destinationKey(destination.destinationIndex, destination.connector))
          .where('name', '=', sync.audience.name)
          .executeTakeFirst();
        const snapshotSize = audience
          ? Number((await trx.selectFrom('audience_members').select((eb) => eb.fn.countAll<number | string>().as('count')).where('audience_id', '=', audience.audience_id).executeTakeFirst())?.count ?? 0)
          : 0;
        const present = new Set(
          audience && snapshotSize > 0 && open.length > 0
            ? (await trx.selectFrom('audience_members').select('email_hash').where('audience_id', '=', audience.audience_id).where('email_hash', 'in', open.map((failure) => failure.email_hash)).execute()).map((row) => row.email_hash)
            : [],
        );
        for (const failure of open) {
          // With a snapshot, a member it holds is in; without one, a sync that did not fail them again sent them.
          const inAudience = snapshotSize === 0 || present.has(failure.email_hash);
          const resolution = failedNow.has(failure.email_hash) ? 'failed again' : inAudience ? 'resolved' : 'left the segment';
          await trx
            .updateTable('record_failures')
            .set({ retried_by_run_id: report.runId, resolution })
            .where('run_id', '=', failure.run_id)
            .where('destination_index', '=', destination.destinationIndex)
            .where('audience', '=', sync.audience.name)
            .where('email_hash', '=', failure.email_hash)
            .execute();
        }
      }
      // An audience produced again after it was retired is active again.
      const produced = destination.segments.flatMap((entry) => (entry.sync && !entry.sync.dryRun ? [entry.sync.audience.name] : []));
      if (produced.length > 0) {
        await trx
          .updateTable('audiences')
          .set({ status: 'active' })
          .where('campaign', '=', report.campaign)
          .where('destination_key', '=', destinationKey(destination.destinationIndex, destination.connector))
          .where('name', 'in', produced)
          .where('status', '=', 'retired')
          .execute();
      }
    }
  });
}

/** Every audience the run synced is known to the store (so a later run can retire it), marked synced by this run. */
async function rememberAudiences(store: StateStore, report: CampaignReport): Promise<void> {
  for (const destination of report.destinations) {
    if ('error' in destination) continue;
    for (const entry of destination.segments) {
      const audience = entry.sync?.audience;
      if (!audience || audience.id === '') continue;
      const saved = await store.saveAudience({
        campaign: report.campaign,
        destinationKey: destinationKey(destination.destinationIndex, destination.connector),
        name: audience.name,
        connector: destination.connector,
        externalId: audience.id,
        location: audience.location ?? null,
      });
      await store.touchAudience(saved.audienceId, report.runId);
    }
  }
}
