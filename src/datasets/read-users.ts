/**
 * Reads a users dataset (Amazon Personalize layout: `USER_ID` plus metadata columns). We also read
 * `EMAIL`, `FIRST_NAME` and `LAST_NAME` when present, for identity resolution.
 */
import { DataError } from '../core/errors.js';
import { readCsv, type CsvTable } from './csv-reader.js';
import type { UserRecord, Users } from './datasets.js';

/**
 * Reads a users CSV (`.csv` or `.csv.gz`). EMAIL, FIRST_NAME and LAST_NAME are optional columns
 * (matched case-insensitively) and read as written, or '' when the column is absent; other
 * columns are not kept. `columns` lists the header upper-cased.
 *
 * @throws DataError (exit code 2) with file and line for: no USER_ID column, an empty USER_ID, a
 *   repeated USER_ID (both lines named), or a malformed row.
 */
export async function readUsers(file: string): Promise<Users> {
  return readUsersTable(await readCsv(file, { requiredColumns: ['USER_ID'] }));
}

/** {@link readUsers} over an opened table (a CSV file, or Parquet rows read by `src/ingest/`) that has a USER_ID column. */
export async function readUsersTable(table: CsvTable): Promise<Users> {
  const file = table.file;
  const userIdColumn = table.columnIndex('USER_ID');
  const emailColumn = table.columnIndex('EMAIL');
  const firstNameColumn = table.columnIndex('FIRST_NAME');
  const lastNameColumn = table.columnIndex('LAST_NAME');
  const cell = (record: string[], column: number): string => (column < 0 ? '' : (record[column] ?? ''));

  const byId = new Map<string, UserRecord>();
  const lineOf = new Map<string, number>();
  for await (const { line, record } of table.rows) {
    const userId = cell(record, userIdColumn);
    if (userId === '') throw new DataError([{ file, line, field: 'USER_ID', message: 'empty USER_ID' }]);
    const earlier = lineOf.get(userId);
    if (earlier !== undefined) {
      throw new DataError([
        { file, line, field: 'USER_ID', message: `USER_ID "${userId}" repeats line ${earlier}; user ids must be unique` },
      ]);
    }
    lineOf.set(userId, line);
    byId.set(userId, {
      userId,
      email: cell(record, emailColumn),
      firstName: cell(record, firstNameColumn),
      lastName: cell(record, lastNameColumn),
    });
  }
  return { byId, columns: table.header.map((name) => name.toUpperCase()) };
}

/** A users dataset with no users, for a directory without a users file. */
export function emptyUsers(): Users {
  return { byId: new Map(), columns: [] };
}
