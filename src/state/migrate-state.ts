/**
 * Versioned migrations of the state store (Kysely's Migrator): one file per migration in
 * `migrations/`, named `NNNN-what.ts`, applied in name order and recorded in the
 * `kysely_migration` table. Engineers own number ranges, so migrations landed in parallel may be
 * applied out of order (`allowUnorderedMigrations`).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResult } from 'kysely';
import { PermanentError } from '../core/errors.js';

/** The folder of migration files, beside this module (src/ under tsx and vitest, dist/ when built). */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

/** A migration file: `0001-sync-state.ts` (or `.js` once built), never a declaration or source map. */
const MIGRATION_FILE = /^(\d{4}-[a-z0-9-]+)\.(?:ts|js)$/;

/**
 * Reads the migration files with this module's own `import()` (not Kysely's
 * FileMigrationProvider, whose import inside node_modules cannot load `.ts` files under vitest or tsx).
 */
const migrationFolderProvider: MigrationProvider = {
  async getMigrations() {
    const migrations: Record<string, Migration> = {};
    for (const file of (await readdir(MIGRATIONS_FOLDER)).sort()) {
      const name = MIGRATION_FILE.exec(file)?.[1];
      if (name === undefined) continue;
      migrations[name] = (await import(pathToFileURL(join(MIGRATIONS_FOLDER, file)).href)) as Migration;
    }
    return migrations;
  },
};

/** Makes the migrator of the state store. */
export function stateMigrator(db: Kysely<unknown>): Migrator {
  return new Migrator({
    db,
    provider: migrationFolderProvider,
    allowUnorderedMigrations: true,
  });
}

/**
 * Brings the store to the latest schema. Safe when several processes start at once: the
 * migrator locks (PostgreSQL: an advisory lock; SQLite: the file's write lock).
 * @returns the names of the migrations applied now.
 * @throws PermanentError when a migration fails, or the store was migrated by a newer version;
 *   the driver's error when the database cannot be reached.
 */
export async function migrateState(db: Kysely<unknown>, target?: string): Promise<string[]> {
  const migrator = stateMigrator(db);
  const { error, results } = target === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(target);
  if (error !== undefined) {
    const message = error instanceof Error ? error.message : JSON.stringify(error);
    const unknown = /previously executed migration (\S+) is missing/.exec(message)?.[1];
    if (unknown !== undefined) {
      throw new PermanentError(`the sync-state store was upgraded by a newer affinity-sync (migration ${unknown} is unknown to this version): upgrade affinity-sync`, { cause: error });
    }
    // No results: the migrator failed before any migration ran (e.g. the database is unreachable).
    if (results === undefined) throw error instanceof Error ? error : new Error(message);
    const failed = results.find((result: MigrationResult) => result.status === 'Error');
    throw new PermanentError(`the sync-state store's migration ${failed?.migrationName ?? '?'} failed: ${message}`, { cause: error });
  }
  return (results ?? []).filter((result) => result.status === 'Success' && result.direction === 'Up').map((result) => result.migrationName);
}
