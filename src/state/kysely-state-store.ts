/**
 * The {@link StateStore} over Kysely: one code path for SQLite and PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { AudiencesTable, Database, RunsTable } from './database.js';
import type {
  AudienceKey,
  AudienceRecord,
  LeaseResult,
  NewRun,
  RunEnd,
  RunRecord,
  SnapshotMember,
  StateDialect,
  StateStore,
  StoredSnapshotMember,
} from './state-store.js';

/** Rows per INSERT: 5 columns × 1,000 stays under both engines' bound-parameter limits. */
const INSERT_ROWS = 1000;

export class KyselyStateStore implements StateStore {
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: StateDialect,
    readonly location: string,
  ) {}

  async claimRunId(run: NewRun): Promise<boolean> {
    const result = await this.db
      .insertInto('runs')
      .values({
        run_id: run.runId,
        campaign: run.campaign,
        trigger: run.trigger,
        status: 'running',
        dry_run: run.dryRun ? 1 : 0,
        started_at: (run.startedAt ?? new Date()).toISOString(),
        campaign_file_hash: run.campaignFileHash ?? null,
      })
      .onConflict((conflict) => conflict.column('run_id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async startRun(run: NewRun): Promise<void> {
    const row = {
      run_id: run.runId,
      campaign: run.campaign,
      trigger: run.trigger,
      status: 'running' as const,
      dry_run: run.dryRun ? 1 : 0,
      started_at: (run.startedAt ?? new Date()).toISOString(),
      campaign_file_hash: run.campaignFileHash ?? null,
    };
    await this.db
      .insertInto('runs')
      .values(row)
      .onConflict((conflict) =>
        conflict.column('run_id').doUpdateSet({ status: 'running', finished_at: null, error: null, exit_code: null, campaign_file_hash: row.campaign_file_hash }),
      )
      .execute();
  }

  async finishRun(runId: string, end: RunEnd): Promise<void> {
    await this.db
      .updateTable('runs')
      .set({
        status: end.status,
        finished_at: (end.finishedAt ?? new Date()).toISOString(),
        report: end.report === undefined ? null : JSON.stringify(end.report),
        error: end.error ?? null,
        exit_code: end.exitCode ?? null,
      })
      .where('run_id', '=', runId)
      .execute();
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const row = await this.db.selectFrom('runs').selectAll().where('run_id', '=', runId).executeTakeFirst();
    return row && runRecord(row);
  }

  async listRuns(options: { campaign?: string; limit?: number } = {}): Promise<RunRecord[]> {
    let query = this.db.selectFrom('runs').selectAll();
    if (options.campaign !== undefined) query = query.where('campaign', '=', options.campaign);
    const rows = await query.orderBy('started_at', 'desc').orderBy('run_id', 'desc').limit(options.limit ?? 50).execute();
    return rows.map(runRecord);
  }

  async getAudience(key: AudienceKey): Promise<AudienceRecord | undefined> {
    const row = await selectAudience(this.db, key).executeTakeFirst();
    return row && audienceRecord(row);
  }

  async saveAudience(audience: AudienceKey & { connector: string; externalId: string; location?: string | null }): Promise<AudienceRecord> {
    return this.db.transaction().execute(async (trx) => {
      // Written first, so SQLite takes its write lock at once (a read first could not upgrade under contention).
      await trx
        .insertInto('audiences')
        .values({
          audience_id: randomUUID(),
          campaign: audience.campaign,
          destination_key: audience.destinationKey,
          connector: audience.connector,
          external_id: audience.externalId,
          name: audience.name,
          location: audience.location ?? null,
          status: 'active',
          created_at: new Date().toISOString(),
        })
        .onConflict((conflict) => conflict.columns(['campaign', 'destination_key', 'name']).doNothing())
        .execute();
      const row = await selectAudience(trx, audience).executeTakeFirstOrThrow();
      const location = audience.location === undefined ? row.location : audience.location;
      if (row.external_id !== audience.externalId && audience.externalId !== '') {
        await trx.deleteFrom('audience_members').where('audience_id', '=', row.audience_id).execute();
      }
      const externalId = audience.externalId === '' ? row.external_id : audience.externalId;
      if (row.external_id !== externalId || row.connector !== audience.connector || row.location !== location) {
        await trx
          .updateTable('audiences')
          .set({ external_id: externalId, connector: audience.connector, location })
          .where('audience_id', '=', row.audience_id)
          .execute();
      }
      return audienceRecord({ ...row, external_id: externalId, connector: audience.connector, location });
    });
  }

  async touchAudience(audienceId: string, runId: string, options: { fullSync?: boolean } = {}): Promise<void> {
    const now = new Date().toISOString();
    await this.db
      .updateTable('audiences')
      .set({ last_run_id: runId, last_synced_at: now, ...(options.fullSync ? { last_full_sync_at: now } : {}) })
      .where('audience_id', '=', audienceId)
      .execute();
  }

  async loadSnapshot(audienceId: string): Promise<Map<string, StoredSnapshotMember>> {
    const rows = await this.db.selectFrom('audience_members').selectAll().where('audience_id', '=', audienceId).execute();
    const snapshot = new Map<string, StoredSnapshotMember>();
    for (const row of rows) {
      snapshot.set(row.email_hash, { emailHash: row.email_hash, userIds: JSON.parse(row.user_ids) as string[], rank: row.rank, runId: row.run_id });
    }
    return snapshot;
  }

  async loadSnapshotHashes(audienceId: string): Promise<Set<string>> {
    const rows = await this.db.selectFrom('audience_members').select('email_hash').where('audience_id', '=', audienceId).execute();
    return new Set(rows.map((row) => row.email_hash));
  }

  async addToSnapshot(audienceId: string, members: readonly SnapshotMember[], runId: string): Promise<void> {
    if (members.length === 0) return;
    await this.db.transaction().execute((trx) => upsertMembers(trx, audienceId, members, runId));
  }

  async removeFromSnapshot(audienceId: string, emailHashes: readonly string[]): Promise<void> {
    if (emailHashes.length === 0) return;
    await this.db.transaction().execute((trx) => deleteMembers(trx, audienceId, emailHashes));
  }

  async clearSnapshot(audienceId: string): Promise<void> {
    await this.db.deleteFrom('audience_members').where('audience_id', '=', audienceId).execute();
  }

  async beginChunk(audienceId: string, chunkId: string, runId: string, emailHashes: readonly string[]): Promise<void> {
    await this.db
      .insertInto('sync_chunks_in_flight')
      .values({ audience_id: audienceId, chunk_id: chunkId, run_id: runId, email_hashes: JSON.stringify(emailHashes), started_at: new Date().toISOString() })
      .execute();
  }

  async confirmChunk(audienceId: string, chunkId: string, runId: string, present: readonly SnapshotMember[], gone: readonly string[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('sync_chunks_in_flight').where('audience_id', '=', audienceId).where('chunk_id', '=', chunkId).execute();
      await upsertMembers(trx, audienceId, present, runId);
      await deleteMembers(trx, audienceId, gone);
    });
  }

  async chunksInFlight(audienceId: string): Promise<Set<string>> {
    const rows = await this.db.selectFrom('sync_chunks_in_flight').select('email_hashes').where('audience_id', '=', audienceId).execute();
    return new Set(rows.flatMap((row) => JSON.parse(row.email_hashes) as string[]));
  }

  async clearChunksInFlight(audienceId: string): Promise<void> {
    await this.db.deleteFrom('sync_chunks_in_flight').where('audience_id', '=', audienceId).execute();
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<LeaseResult> {
    const now = new Date();
    const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
    // One statement: take the lease when it is free, expired or ours; otherwise leave it alone.
    await this.db
      .insertInto('leases')
      .values({ name, holder, acquired_at: now.toISOString(), expires_at: expiresAt })
      .onConflict((conflict) =>
        conflict
          .column('name')
          .doUpdateSet((eb) => ({
            holder: eb.ref('excluded.holder'),
            acquired_at: eb.ref('excluded.acquired_at'),
            expires_at: eb.ref('excluded.expires_at'),
          }))
          .where((eb) => eb.or([eb('leases.holder', '=', holder), eb('leases.expires_at', '<=', now.toISOString())])),
      )
      .execute();
    const lease = await this.db.selectFrom('leases').selectAll().where('name', '=', name).executeTakeFirstOrThrow();
    return lease.holder === holder ? { acquired: true, expiresAt: lease.expires_at } : { acquired: false, holder: lease.holder, expiresAt: lease.expires_at };
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** Adds or refreshes snapshot members, in batches. */
async function upsertMembers(db: Kysely<Database>, audienceId: string, members: readonly SnapshotMember[], runId: string): Promise<void> {
  for (let start = 0; start < members.length; start += INSERT_ROWS) {
    const rows = members.slice(start, start + INSERT_ROWS).map((member) => ({
      audience_id: audienceId,
      email_hash: member.emailHash,
      user_ids: JSON.stringify(member.userIds),
      rank: member.rank,
      run_id: runId,
    }));
    await db
      .insertInto('audience_members')
      .values(rows)
      .onConflict((conflict) =>
        conflict.columns(['audience_id', 'email_hash']).doUpdateSet((eb) => ({
          user_ids: eb.ref('excluded.user_ids'),
          rank: eb.ref('excluded.rank'),
          run_id: eb.ref('excluded.run_id'),
        })),
      )
      .execute();
  }
}

/** Removes snapshot members, in batches. */
async function deleteMembers(db: Kysely<Database>, audienceId: string, emailHashes: readonly string[]): Promise<void> {
  for (let start = 0; start < emailHashes.length; start += INSERT_ROWS) {
    await db.deleteFrom('audience_members').where('audience_id', '=', audienceId).where('email_hash', 'in', emailHashes.slice(start, start + INSERT_ROWS)).execute();
  }
}

function selectAudience(db: Kysely<Database>, key: AudienceKey) {
  return db.selectFrom('audiences').selectAll().where('campaign', '=', key.campaign).where('destination_key', '=', key.destinationKey).where('name', '=', key.name);
}

function runRecord(row: Selectable<RunsTable>): RunRecord {
  return {
    runId: row.run_id,
    campaign: row.campaign,
    trigger: row.trigger,
    status: row.status,
    dryRun: row.dry_run === 1,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    campaignFileHash: row.campaign_file_hash,
    report: row.report === null ? null : (JSON.parse(row.report) as unknown),
    error: row.error,
    exitCode: row.exit_code,
  };
}

function audienceRecord(row: Selectable<AudiencesTable>): AudienceRecord {
  return {
    audienceId: row.audience_id,
    campaign: row.campaign,
    destinationKey: row.destination_key,
    name: row.name,
    connector: row.connector,
    externalId: row.external_id,
    location: row.location,
    status: row.status,
    createdAt: row.created_at,
    lastRunId: row.last_run_id,
    lastSyncedAt: row.last_synced_at,
    lastFullSyncAt: row.last_full_sync_at,
  };
}
