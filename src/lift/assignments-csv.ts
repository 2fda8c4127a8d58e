/**
 * The holdout export (`holdout.export`): every assignment of a campaign as CSV, USER_IDs only —
 * `user_id,segment,query,arm,first_entered_at,run_id` — for the analyst, and as an input of
 * `affinity-sync lift --assignments`.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { ConfigError, DataError } from '../core/errors.js';
import { readCsv } from '../datasets/csv-reader.js';
import type { ControlsStore, HoldoutAssignment } from '../controls/controls-store.js';

/** Header of the holdout export. */
export const HOLDOUT_CSV_COLUMNS = ['user_id', 'segment', 'query', 'arm', 'first_entered_at', 'run_id'] as const;

/** Writes the assignments, sorted by segment and USER_ID, through a temp file renamed over the old one. */
export async function writeAssignmentsCsv(file: string, assignments: readonly HoldoutAssignment[]): Promise<void> {
  const rows = [...assignments]
    .sort((a, b) => a.segment.localeCompare(b.segment) || a.userId.localeCompare(b.userId))
    .map((a) => [a.userId, a.segment, a.query, a.arm, a.firstEnteredAt.toISOString(), a.runId]);
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, stringify([[...HOLDOUT_CSV_COLUMNS], ...rows]));
  await rename(temp, file);
}

/**
 * Reads a holdout export back (rows of `campaign`).
 * @throws DataError naming the file and line of a malformed row; ConfigError when the file does not exist
 */
export async function readAssignmentsCsv(file: string, campaign: string): Promise<HoldoutAssignment[]> {
  let table;
  try {
    table = await readCsv(file, { requiredColumns: HOLDOUT_CSV_COLUMNS });
  } catch (error) {
    if (error instanceof DataError && /ENOENT|not found|no such file/i.test(error.message)) throw new ConfigError([{ file, message: 'not found; expected the holdout export of a campaign (holdout.export)' }]);
    throw error;
  }
  const column = Object.fromEntries(HOLDOUT_CSV_COLUMNS.map((name) => [name, table.columnIndex(name)])) as Record<(typeof HOLDOUT_CSV_COLUMNS)[number], number>;
  const assignments: HoldoutAssignment[] = [];
  for await (const { line, record } of table.rows) {
    const arm = record[column.arm];
    const firstEnteredAt = new Date(record[column.first_entered_at] ?? '');
    if ((arm !== 'treatment' && arm !== 'control') || Number.isNaN(firstEnteredAt.getTime())) {
      throw new DataError([{ file, line, message: 'expected arm treatment or control and first_entered_at as an ISO 8601 time' }]);
    }
    assignments.push({
      campaign,
      segment: record[column.segment] ?? '',
      query: record[column.query] ?? '',
      userId: record[column.user_id] ?? '',
      arm,
      firstEnteredAt,
      runId: record[column.run_id] ?? '',
    });
  }
  return assignments;
}

/**
 * A campaign's holdout assignments: from the export file when one is named (relative to `cwd`),
 * else from the state store; empty when there are none yet.
 */
export async function loadAssignments(source: { cwd: string; assignmentsFile?: string; store?: ControlsStore }, campaign: string): Promise<HoldoutAssignment[]> {
  if (source.assignmentsFile) return readAssignmentsCsv(resolve(source.cwd, source.assignmentsFile), campaign);
  return (await source.store?.assignments(campaign)) ?? [];
}
