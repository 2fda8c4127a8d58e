/**
 * The {@link ControlsStore} over the sync-state store's Kysely database (SQLite or PostgreSQL):
 * tables `placements` and `holdout_assignments` (migration 0200).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../state/database.js';
import type { ControlsStore, HoldoutAssignment, Placement } from './controls-store.js';

/** Rows per INSERT: 7 columns × 500 stays under both engines' bound-parameter limits. */
const INSERT_ROWS = 500;

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < rows.length; start += INSERT_ROWS) out.push(rows.slice(start, start + INSERT_ROWS));
  return out;
}

export class KyselyControlsStore implements ControlsStore {
  constructor(private readonly db: Kysely<Database>) {}

  async placementsSince(since: Date): Promise<Placement[]> {
    const rows = await this.db.selectFrom('placements').selectAll().where('placed_at', '>=', since.toISOString()).execute();
    return rows.map((row) => ({ userId: row.user_id, campaign: row.campaign, segment: row.segment, runId: row.run_id, placedAt: new Date(row.placed_at) }));
  }

  async latestRunPlacements(campaign: string): Promise<string[]> {
    const latest = await this.db
      .selectFrom('placements')
      .select('run_id')
      .where('campaign', '=', campaign)
      .orderBy('placed_at', 'desc')
      .orderBy('run_id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!latest) return [];
    const rows = await this.db.selectFrom('placements').select('user_id').distinct().where('campaign', '=', campaign).where('run_id', '=', latest.run_id).execute();
    return rows.map((row) => row.user_id);
  }

  async recordPlacements(placements: readonly Placement[]): Promise<void> {
    for (const chunk of chunks(placements)) {
      await this.db
        .insertInto('placements')
        .values(chunk.map((p) => ({ user_id: p.userId, campaign: p.campaign, segment: p.segment, run_id: p.runId, placed_at: p.placedAt.toISOString() })))
        .onConflict((conflict) => conflict.columns(['campaign', 'segment', 'user_id', 'run_id']).doNothing())
        .execute();
    }
  }

  async recordAssignments(assignments: readonly HoldoutAssignment[]): Promise<void> {
    for (const chunk of chunks(assignments)) {
      await this.db
        .insertInto('holdout_assignments')
        .values(
          chunk.map((a) => ({
            campaign: a.campaign,
            segment: a.segment,
            user_id: a.userId,
            query: a.query,
            arm: a.arm,
            first_entered_at: a.firstEnteredAt.toISOString(),
            run_id: a.runId,
          })),
        )
        .onConflict((conflict) => conflict.columns(['campaign', 'segment', 'user_id']).doNothing())
        .execute();
    }
  }

  async assignments(campaign: string): Promise<HoldoutAssignment[]> {
    const rows = await this.db.selectFrom('holdout_assignments').selectAll().where('campaign', '=', campaign).orderBy('segment').orderBy('user_id').execute();
    return rows.map((row) => ({
      campaign: row.campaign,
      segment: row.segment,
      query: row.query,
      userId: row.user_id,
      arm: row.arm === 'control' ? 'control' : 'treatment',
      firstEnteredAt: new Date(row.first_entered_at),
      runId: row.run_id,
    }));
  }
}
