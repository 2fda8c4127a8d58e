import { readdirSync } from 'node:fs';
import { NO_MIGRATIONS, sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { emailHash } from '../src/state/email-hash.js';
import { MIGRATIONS_FOLDER, migrateState, stateMigrator } from '../src/state/migrate-state.js';
import { openPostgres, openSqlite, SQLITE_STATE_FILE } from '../src/state/open-state-store.js';
import type { StateStore } from '../src/state/state-store.js';
import { createTestStateLocation, createTestStateStore, stateStoreKinds, type TestStateLocation } from './helpers/state-stores.js';

const migrationNames = readdirSync(MIGRATIONS_FOLDER)
  .filter((file) => /^\d{4}-.+\.ts$/.test(file))
  .map((file) => file.replace(/\.ts$/, ''))
  .sort();

describe.each(stateStoreKinds)('state store on %s', (kind) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function freshStore(): Promise<StateStore> {
    const { store, dispose } = await createTestStateStore(kind);
    cleanups.push(dispose);
    return store;
  }
  async function freshLocation(): Promise<TestStateLocation> {
    const location = await createTestStateLocation(kind);
    cleanups.push(() => location.dispose());
    return location;
  }

  it('migrates an empty store to the latest schema, and a second open applies nothing', async () => {
    const location = await freshLocation();
    const raw = kind === 'sqlite' ? openSqlite(`${location.stateDir}/${SQLITE_STATE_FILE}`) : openPostgres(location.env.AFFINITY_STATE_URL ?? '');
    try {
      const db = raw.db as unknown as Kysely<unknown>;
      expect(await migrateState(db)).toEqual(migrationNames);
      expect(migrationNames[0]).toBe('0001-sync-state');
      expect(await migrateState(db)).toEqual([]);
      const tables = (await db.introspection.getTables()).map((table) => table.name).filter((name) => !name.startsWith('kysely_')).sort();
      expect(tables).toEqual(expect.arrayContaining(['audience_members', 'audiences', 'leases', 'runs']));
      const migrations = await stateMigrator(db).getMigrations();
      expect(migrations.every((migration) => migration.executedAt instanceof Date)).toBe(true);
    } finally {
      await raw.close();
    }
  });

  it('migrates down to nothing and up again (every migration has a working down)', async () => {
    const location = await freshLocation();
    const raw = kind === 'sqlite' ? openSqlite(`${location.stateDir}/${SQLITE_STATE_FILE}`) : openPostgres(location.env.AFFINITY_STATE_URL ?? '');
    try {
      const db = raw.db as unknown as Kysely<unknown>;
      await migrateState(db);
      const { error } = await stateMigrator(db).migrateTo(NO_MIGRATIONS);
      expect(error).toBeUndefined();
      const left = (await db.introspection.getTables()).map((table) => table.name).filter((name) => !name.startsWith('kysely_'));
      expect(left).toEqual([]);
      expect(await migrateState(db)).toEqual(migrationNames);
    } finally {
      await raw.close();
    }
  });

  it('migrates a store at schema v1 (0001) with data to the latest, keeping the data', async () => {
    const location = await freshLocation();
    const raw = kind === 'sqlite' ? openSqlite(`${location.stateDir}/${SQLITE_STATE_FILE}`) : openPostgres(location.env.AFFINITY_STATE_URL ?? '');
    try {
      const db = raw.db as unknown as Kysely<unknown>;
      expect(await migrateState(db, '0001-sync-state')).toEqual(['0001-sync-state']);
      await sql`insert into audiences (audience_id, campaign, destination_key, connector, external_id, name, status, created_at)
                values ('a-1', 'shoes', '0:mailchimp', 'mailchimp', '101', 'affinity shoes', 'active', '2026-12-01T00:00:00.000Z')`.execute(db);
      await sql`insert into audience_members (audience_id, email_hash, user_ids, rank, run_id) values ('a-1', ${emailHash('ann@example.com')}, '["7"]', 1, 'run-0')`.execute(db);
      expect(await migrateState(db)).toEqual(migrationNames.slice(1));
      const audience = await raw.getAudience({ campaign: 'shoes', destinationKey: '0:mailchimp', name: 'affinity shoes' });
      expect(audience).toMatchObject({ audienceId: 'a-1', externalId: '101', lastFullSyncAt: null });
      expect([...(await raw.loadSnapshot('a-1')).values()]).toEqual([{ emailHash: emailHash('ann@example.com'), userIds: ['7'], rank: 1, runId: 'run-0' }]);
      await raw.beginChunk('a-1', 'chunk-1', 'run-1', [emailHash('bob@example.com')]);
      expect(await raw.chunksInFlight('a-1')).toEqual(new Set([emailHash('bob@example.com')]));
    } finally {
      await raw.close();
    }
  });

  it('records a run from start to its report, and lists runs newest first', async () => {
    const store = await freshStore();
    await store.startRun({ runId: 'shoes-1', campaign: 'shoes', trigger: 'cli', dryRun: false, campaignFileHash: 'ab'.repeat(32), startedAt: new Date('2026-12-03T10:00:00Z') });
    await store.startRun({ runId: 'shoes-2', campaign: 'shoes', trigger: 'schedule', dryRun: true, startedAt: new Date('2026-12-03T11:00:00Z') });
    await store.startRun({ runId: 'hats-1', campaign: 'hats', trigger: 'enqueue', dryRun: false, startedAt: new Date('2026-12-03T12:00:00Z') });
    expect(await store.getRun('shoes-1')).toMatchObject({ status: 'running', finishedAt: null, report: null, dryRun: false, trigger: 'cli' });

    await store.finishRun('shoes-1', { status: 'succeeded', report: { campaign: 'shoes', destinations: [{ added: 12 }] }, exitCode: 0, finishedAt: new Date('2026-12-03T10:01:00Z') });
    expect(await store.getRun('shoes-1')).toEqual({
      runId: 'shoes-1',
      campaign: 'shoes',
      trigger: 'cli',
      status: 'succeeded',
      dryRun: false,
      startedAt: '2026-12-03T10:00:00.000Z',
      finishedAt: '2026-12-03T10:01:00.000Z',
      campaignFileHash: 'ab'.repeat(32),
      report: { campaign: 'shoes', destinations: [{ added: 12 }] },
      error: null,
      exitCode: 0,
    });
    expect((await store.listRuns()).map((run) => run.runId)).toEqual(['hats-1', 'shoes-2', 'shoes-1']);
    expect((await store.listRuns({ campaign: 'shoes', limit: 1 })).map((run) => [run.runId, run.dryRun])).toEqual([['shoes-2', true]]);

    // A resumed run id goes back to running.
    await store.startRun({ runId: 'shoes-1', campaign: 'shoes', trigger: 'cli', dryRun: false });
    expect(await store.getRun('shoes-1')).toMatchObject({ status: 'running', finishedAt: null, exitCode: null });
    expect(await store.getRun('nope')).toBeUndefined();
  });

  it('keeps an audience snapshot by email hash, and clears it when the audience changed', async () => {
    const store = await freshStore();
    const key = { campaign: 'shoes', destinationKey: '0:mailchimp', name: 'affinity shoes' };
    const audience = await store.saveAudience({ ...key, connector: 'mailchimp', externalId: '101', location: 'audience a1, tag affinity shoes' });
    expect(audience).toMatchObject({ ...key, connector: 'mailchimp', externalId: '101', status: 'active', lastRunId: null });
    expect((await store.saveAudience({ ...key, connector: 'mailchimp', externalId: '101' })).audienceId).toBe(audience.audienceId);

    const ann = emailHash(' Ann@Example.com ');
    const bob = emailHash('bob@example.com');
    expect(ann).toBe(emailHash('ann@example.com'));
    expect(ann).toMatch(/^[0-9a-f]{64}$/);
    await store.addToSnapshot(audience.audienceId, [{ emailHash: ann, userIds: ['7', '9'], rank: 1 }, { emailHash: bob, userIds: ['3'], rank: 2 }], 'run-1');
    await store.addToSnapshot(audience.audienceId, [{ emailHash: bob, userIds: ['3'], rank: 1 }], 'run-2');
    await store.touchAudience(audience.audienceId, 'run-2');
    expect([...(await store.loadSnapshot(audience.audienceId)).values()].sort((a, b) => a.rank - b.rank || a.runId.localeCompare(b.runId))).toEqual([
      { emailHash: ann, userIds: ['7', '9'], rank: 1, runId: 'run-1' },
      { emailHash: bob, userIds: ['3'], rank: 1, runId: 'run-2' },
    ]);
    expect(await store.getAudience(key)).toMatchObject({ lastRunId: 'run-2' });

    expect(await store.loadSnapshotHashes(audience.audienceId)).toEqual(new Set([ann, bob]));

    await store.removeFromSnapshot(audience.audienceId, [ann]);
    expect([...(await store.loadSnapshot(audience.audienceId)).keys()]).toEqual([bob]);
    expect(await store.loadSnapshotHashes(audience.audienceId)).toEqual(new Set([bob]));

    // The tag was made again (new id): the old snapshot described another audience.
    await store.saveAudience({ ...key, connector: 'mailchimp', externalId: '202' });
    expect((await store.loadSnapshot(audience.audienceId)).size).toBe(0);
    expect(await store.getAudience(key)).toMatchObject({ externalId: '202', location: 'audience a1, tag affinity shoes' });
  });

  it('stores a large snapshot in batches', async () => {
    const store = await freshStore();
    const audience = await store.saveAudience({ campaign: 'big', destinationKey: '0:hubspot', name: 'big', connector: 'hubspot', externalId: '9' });
    const members = Array.from({ length: 2_500 }, (_, index) => ({ emailHash: emailHash(`user${index}@example.com`), userIds: [String(index)], rank: index + 1 }));
    await store.addToSnapshot(audience.audienceId, members, 'run-1');
    await store.removeFromSnapshot(audience.audienceId, members.slice(0, 1_200).map((member) => member.emailHash));
    const snapshot = await store.loadSnapshot(audience.audienceId);
    expect(snapshot.size).toBe(1_300);
    expect(await store.loadSnapshotHashes(audience.audienceId)).toEqual(new Set(members.slice(1_200).map((member) => member.emailHash)));
    expect(snapshot.get(emailHash('user1200@example.com'))).toEqual({ emailHash: emailHash('user1200@example.com'), userIds: ['1200'], rank: 1201, runId: 'run-1' });
  });

  it('gives a lease to one holder at a time across connections, until it expires', async () => {
    const location = await freshLocation();
    const first = await location.open();
    const second = await location.open();
    try {
      const taken = await first.acquireLease('campaign:shoes', 'run-a', 60_000);
      expect(taken.acquired).toBe(true);
      const refused = await second.acquireLease('campaign:shoes', 'run-b', 60_000);
      expect(refused).toMatchObject({ acquired: false, holder: 'run-a' });
      expect(await first.acquireLease('campaign:shoes', 'run-a', 60_000)).toMatchObject({ acquired: true });
      await second.releaseLease('campaign:shoes', 'run-b'); // not the holder: nothing happens
      expect(await second.acquireLease('campaign:shoes', 'run-b', 60_000)).toMatchObject({ acquired: false, holder: 'run-a' });
      await first.releaseLease('campaign:shoes', 'run-a');
      expect(await second.acquireLease('campaign:shoes', 'run-b', 1)).toMatchObject({ acquired: true });
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await first.acquireLease('campaign:shoes', 'run-c', 60_000)).toMatchObject({ acquired: true });
      // Racing for a free lease: exactly one wins.
      const results = await Promise.all(['x', 'y', 'z'].map((holder, index) => [first, second, first][index]!.acquireLease('campaign:hats', holder, 60_000)));
      expect(results.filter((result) => result.acquired)).toHaveLength(1);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('lets two processes write at once (WAL + busy timeout on SQLite, pool on PostgreSQL)', async () => {
    const location = await freshLocation();
    const stores = [await location.open(), await location.open()];
    try {
      await Promise.all(
        stores.flatMap((store, storeIndex) =>
          Array.from({ length: 20 }, (_, index) => store.startRun({ runId: `r-${storeIndex}-${index}`, campaign: 'c', trigger: 'cli', dryRun: false })),
        ),
      );
      const count = await sql<{ n: number | string }>`select count(*) as n from runs`.execute(stores[0]!.db);
      expect(Number(count.rows[0]?.n)).toBe(40);
    } finally {
      for (const store of stores) await store.close();
    }
  });
});

describe('opening the state store from the environment', () => {
  it('refuses an AFFINITY_STATE_URL that is not a PostgreSQL URL, without printing it', async () => {
    const { runCli } = await import('./helpers/run-cli.js');
    const result = await runCli(['run', '--dry-run', 'config/campaigns/new-items.yaml'], {
      env: { ...process.env, LOG_LEVEL: 'silent', AFFINITY_STATE_URL: 'mysql://admin:hunter22@db/x' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: AFFINITY_STATE_URL: expected a PostgreSQL URL such as postgres://user@host:5432/affinity_sync (the value is not shown: it may hold a password)\n',
    );
  });

  it('says which store it cannot reach, never the URL or its password', async () => {
    const { openStateStore } = await import('../src/state/open-state-store.js');
    const error = await openStateStore({ env: { AFFINITY_STATE_URL: 'postgres://admin:hunter22@127.0.0.1:1/affinity' }, stateDir: '/nonexistent' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('TransientError');
    expect((error as Error).message).toMatch(/^cannot open the sync-state store, PostgreSQL \(AFFINITY_STATE_URL\): .*ECONNREFUSED/);
    expect((error as Error).message).not.toMatch(/hunter22|admin/);
  });
});

describe.each(stateStoreKinds)('a store upgraded by a newer version, on %s', (kind) => {
  it('is refused with a message that says so', async () => {
    const { store, location, dispose } = await createTestStateStore(kind);
    try {
      await sql`insert into kysely_migration (name, timestamp) values ('0999-from-the-future', '2027-01-01T00:00:00.000Z')`.execute(store.db);
      const error = await location.open().catch((caught: unknown) => caught);
      expect((error as Error).name).toBe('PermanentError');
      expect((error as Error).message).toBe(
        'the sync-state store was upgraded by a newer affinity-sync (migration 0999-from-the-future is unknown to this version): upgrade affinity-sync',
      );
    } finally {
      await dispose();
    }
  });
});
