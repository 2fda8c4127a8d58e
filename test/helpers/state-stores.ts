/**
 * Real sync-state stores for tests, so every state test runs on both dialects
 * (`describe.each(stateStoreKinds)`): a fresh SQLite file in a temp directory, and a fresh
 * PostgreSQL database (127.0.0.1:5432, trust auth) created for the test and dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStateStore, STATE_URL_ENV } from '../../src/state/open-state-store.js';
import type { StateDialect, StateStore } from '../../src/state/state-store.js';

export const stateStoreKinds: readonly StateDialect[] = ['sqlite', 'postgres'];

/** Server URL tests create their databases on (maintenance database `postgres`). */
export const testPostgresAdminUrl = process.env.AFFINITY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Where a test's store lives: the environment and state directory a process would be given. */
export interface TestStateLocation {
  kind: StateDialect;
  /** `AFFINITY_STATE_URL` for PostgreSQL, nothing for SQLite. */
  env: Record<string, string>;
  /** A fresh temp directory (the SQLite file goes in it). */
  stateDir: string;
  /** Opens (and migrates) a store on this location; several may be open at once. */
  open: () => Promise<StateStore>;
  /** Drops the database / deletes the directory. */
  dispose: () => Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresAdminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, empty store location of one kind. */
export async function createTestStateLocation(kind: StateDialect): Promise<TestStateLocation> {
  const stateDir = mkdtempSync(join(tmpdir(), 'affinity-state-'));
  const env: Record<string, string> = {};
  let database: string | undefined;
  if (kind === 'postgres') {
    database = `affinity_test_${randomBytes(6).toString('hex')}`;
    await adminQuery(`CREATE DATABASE ${database}`);
    const url = new URL(testPostgresAdminUrl);
    url.pathname = `/${database}`;
    env[STATE_URL_ENV] = url.toString();
  }
  return {
    kind,
    env,
    stateDir,
    open: () => openStateStore({ env, stateDir }),
    dispose: async () => {
      rmSync(stateDir, { recursive: true, force: true });
      if (database !== undefined) await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
}

/** A fresh, migrated store of one kind; `dispose` closes it and drops its database. */
export async function createTestStateStore(kind: StateDialect): Promise<{ store: StateStore; location: TestStateLocation; dispose: () => Promise<void> }> {
  const location = await createTestStateLocation(kind);
  const store = await location.open();
  return {
    store,
    location,
    dispose: async () => {
      await store.close();
      await location.dispose();
    },
  };
}
