/**
 * Opens the sync-state store a process uses: PostgreSQL when `AFFINITY_STATE_URL` is set (workers on
 * several machines), else an SQLite file in the state directory (`.affinity-sync/state.db`), and
 * brings it to the latest schema.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { AffinitySyncError, ConfigError, TransientError } from '../core/errors.js';
import type { Database } from './database.js';
import { KyselyStateStore } from './kysely-state-store.js';
import { migrateState } from './migrate-state.js';
import type { StateStore } from './state-store.js';

/** Environment variable with the PostgreSQL URL of a shared store. */
export const STATE_URL_ENV = 'AFFINITY_STATE_URL';

/** File name of the SQLite store inside the state directory. */
export const SQLITE_STATE_FILE = 'state.db';

/**
 * How long an SQLite statement waits for another process's write lock (`run` beside a worker)
 * before failing with SQLITE_BUSY, in milliseconds.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 15_000;

/** Connections a process keeps to PostgreSQL. */
const POSTGRES_POOL_SIZE = 4;

export interface OpenStateStoreOptions {
  /** The process environment; only `AFFINITY_STATE_URL` is read. */
  env: NodeJS.ProcessEnv;
  /** Absolute state directory (`--state-dir`, default `<cwd>/.affinity-sync`): the SQLite file goes here. */
  stateDir: string;
}

/**
 * Opens and migrates the store.
 * @throws ConfigError when `AFFINITY_STATE_URL` is not a postgres:// URL (its value is never
 *   printed: it may hold a password); PermanentError when a migration fails; TransientError when
 *   the database cannot be reached or opened.
 */
export async function openStateStore(options: OpenStateStoreOptions): Promise<StateStore> {
  const url = options.env[STATE_URL_ENV]?.trim();
  const store = url ? openPostgres(url) : openSqlite(join(options.stateDir, SQLITE_STATE_FILE));
  try {
    await migrateState(store.db as Kysely<unknown>);
  } catch (error) {
    await store.close().catch(() => undefined);
    if (error instanceof AffinitySyncError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new TransientError(`cannot open the sync-state store, ${store.location}: ${reason}`, { cause: error });
  }
  return store;
}

/** A store on a PostgreSQL database given by URL (not migrated). */
export function openPostgres(url: string): KyselyStateStore {
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new ConfigError([{ field: STATE_URL_ENV, message: 'expected a PostgreSQL URL such as postgres://user@host:5432/affinity_sync (the value is not shown: it may hold a password)' }]);
  }
  const pool = new pg.Pool({ connectionString: url, max: POSTGRES_POOL_SIZE });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return new KyselyStateStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), 'postgres', `PostgreSQL (${STATE_URL_ENV})`);
}

/** A store in an SQLite file (not migrated); WAL, so readers never wait for the writer. */
export function openSqlite(file: string): KyselyStateStore {
  mkdirSync(join(file, '..'), { recursive: true });
  const database = (): Promise<BetterSqlite3.Database> => {
    const db = new BetterSqlite3(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    return Promise.resolve(db);
  };
  return new KyselyStateStore(new Kysely<Database>({ dialect: new SqliteDialect({ database }) }), 'sqlite', file);
}
