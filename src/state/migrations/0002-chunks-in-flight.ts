/**
 * Schema v2: chunks sent but not yet confirmed (so a resumed sync checks exactly those against the
 * destination instead of sending them again), and when each audience was last fully resynced.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sync_chunks_in_flight')
    .addColumn('audience_id', 'text', (column) => column.notNull().references('audiences.audience_id').onDelete('cascade'))
    .addColumn('chunk_id', 'text', (column) => column.notNull())
    .addColumn('run_id', 'text', (column) => column.notNull())
    .addColumn('email_hashes', 'text', (column) => column.notNull())
    .addColumn('started_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('sync_chunks_in_flight_pk', ['audience_id', 'chunk_id'])
    .execute();
  await db.schema.alterTable('audiences').addColumn('last_full_sync_at', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audiences').dropColumn('last_full_sync_at').execute();
  await db.schema.dropTable('sync_chunks_in_flight').ifExists().execute();
}
