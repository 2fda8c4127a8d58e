/**
 * The marketing controls' tables: placements (frequency caps, exclusivity) and holdout assignments
 * (lift). USER_IDs only, never an email. Times are ISO 8601 text.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('placements')
    .addColumn('user_id', 'text', (column) => column.notNull())
    .addColumn('campaign', 'text', (column) => column.notNull())
    .addColumn('segment', 'text', (column) => column.notNull())
    .addColumn('run_id', 'text', (column) => column.notNull())
    .addColumn('placed_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('placements_pk', ['campaign', 'segment', 'user_id', 'run_id'])
    .execute();
  await db.schema.createIndex('placements_placed_at').on('placements').column('placed_at').execute();
  await db.schema.createIndex('placements_campaign_run').on('placements').columns(['campaign', 'placed_at', 'run_id']).execute();

  await db.schema
    .createTable('holdout_assignments')
    .addColumn('campaign', 'text', (column) => column.notNull())
    .addColumn('segment', 'text', (column) => column.notNull())
    .addColumn('user_id', 'text', (column) => column.notNull())
    .addColumn('query', 'text', (column) => column.notNull())
    .addColumn('arm', 'text', (column) => column.notNull())
    .addColumn('first_entered_at', 'text', (column) => column.notNull())
    .addColumn('run_id', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('holdout_assignments_pk', ['campaign', 'segment', 'user_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('holdout_assignments').execute();
  await db.schema.dropTable('placements').execute();
}
