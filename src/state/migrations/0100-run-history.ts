/**
 * Run history (issue 12): per segment × destination results of every run, failed records
 * (USER_IDs and the email's SHA-256, never the email), and the audiences each run retired.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('run_results')
    .addColumn('run_id', 'text', (column) => column.notNull())
    .addColumn('campaign', 'text', (column) => column.notNull())
    .addColumn('started_at', 'text', (column) => column.notNull())
    .addColumn('destination_index', 'integer', (column) => column.notNull())
    .addColumn('connector', 'text', (column) => column.notNull())
    .addColumn('segment_index', 'integer', (column) => column.notNull())
    .addColumn('segment', 'text', (column) => column.notNull())
    .addColumn('query', 'text', (column) => column.notNull())
    .addColumn('audience', 'text')
    .addColumn('location', 'text')
    .addColumn('outcome', 'text', (column) => column.notNull())
    .addColumn('members', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('added', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('already_member', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('removed', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('skip_reasons', 'text', (column) => column.notNull().defaultTo('{}'))
    .addColumn('failure_codes', 'text', (column) => column.notNull().defaultTo('{}'))
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('run_results_pk', ['run_id', 'destination_index', 'segment_index'])
    .execute();
  await db.schema.createIndex('run_results_campaign_started').on('run_results').columns(['campaign', 'started_at']).execute();

  await db.schema
    .createTable('record_failures')
    .addColumn('run_id', 'text', (column) => column.notNull())
    .addColumn('campaign', 'text', (column) => column.notNull())
    .addColumn('destination_index', 'integer', (column) => column.notNull())
    .addColumn('connector', 'text', (column) => column.notNull())
    .addColumn('audience', 'text', (column) => column.notNull())
    .addColumn('email_hash', 'text', (column) => column.notNull())
    .addColumn('user_ids', 'text', (column) => column.notNull())
    .addColumn('code', 'text', (column) => column.notNull())
    .addColumn('reason', 'text')
    .addColumn('retryable', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('retried_by_run_id', 'text')
    .addColumn('resolution', 'text')
    .addPrimaryKeyConstraint('record_failures_pk', ['run_id', 'destination_index', 'audience', 'email_hash'])
    .execute();
  await db.schema.createIndex('record_failures_campaign').on('record_failures').columns(['campaign', 'resolution']).execute();

  await db.schema
    .createTable('audience_retirements')
    .addColumn('audience_id', 'text', (column) => column.notNull())
    .addColumn('run_id', 'text', (column) => column.notNull())
    .addColumn('retired_at', 'text', (column) => column.notNull())
    .addColumn('policy', 'text', (column) => column.notNull())
    .addColumn('outcome', 'text', (column) => column.notNull())
    .addColumn('removed', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('message', 'text')
    .addPrimaryKeyConstraint('audience_retirements_pk', ['audience_id', 'run_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['audience_retirements', 'record_failures', 'run_results']) await db.schema.dropTable(table).ifExists().execute();
}
