/**
 * Schema v1 of the sync-state store: runs, audiences, audience snapshots, leases.
 * Column types are the ones SQLite and PostgreSQL both understand (text, integer).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('runs')
    .addColumn('run_id', 'text', (column) => column.primaryKey())
    .addColumn('campaign', 'text', (column) => column.notNull())
    .addColumn('trigger', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('dry_run', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('started_at', 'text', (column) => column.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('campaign_file_hash', 'text')
    .addColumn('report', 'text')
    .addColumn('error', 'text')
    .addColumn('exit_code', 'integer')
    .execute();
  await db.schema.createIndex('runs_campaign_started').on('runs').columns(['campaign', 'started_at']).execute();

  await db.schema
    .createTable('audiences')
    .addColumn('audience_id', 'text', (column) => column.primaryKey())
    .addColumn('campaign', 'text', (column) => column.notNull())
    .addColumn('destination_key', 'text', (column) => column.notNull())
    .addColumn('connector', 'text', (column) => column.notNull())
    .addColumn('external_id', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('location', 'text')
    .addColumn('status', 'text', (column) => column.notNull().defaultTo('active'))
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('last_run_id', 'text')
    .addColumn('last_synced_at', 'text')
    .addUniqueConstraint('audiences_campaign_destination_name', ['campaign', 'destination_key', 'name'])
    .execute();

  await db.schema
    .createTable('audience_members')
    .addColumn('audience_id', 'text', (column) => column.notNull().references('audiences.audience_id').onDelete('cascade'))
    .addColumn('email_hash', 'text', (column) => column.notNull())
    .addColumn('user_ids', 'text', (column) => column.notNull())
    .addColumn('rank', 'integer', (column) => column.notNull())
    .addColumn('run_id', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('audience_members_pk', ['audience_id', 'email_hash'])
    .execute();

  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('holder', 'text', (column) => column.notNull())
    .addColumn('acquired_at', 'text', (column) => column.notNull())
    .addColumn('expires_at', 'text', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['leases', 'audience_members', 'audiences', 'runs']) await db.schema.dropTable(table).ifExists().execute();
}
