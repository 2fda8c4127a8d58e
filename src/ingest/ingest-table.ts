/**
 * Reads a small dataset (items, users) stored as Parquet or as a directory of parts through
 * DuckDB, and hands its rows to the same readers as a CSV file (`readItemsTable`,
 * `readUsersTable`), so the rules and messages are the CSV ones; a problem names the part file and
 * its row (and row group for Parquet) instead of a line.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { DataError, type InputIssue } from '../core/errors.js';
import type { CsvRow, CsvTable } from '../datasets/csv-reader.js';
import type { DatasetSource } from './dataset-source.js';
import { withDuckDb } from './duckdb-session.js';
import { locateParquetRow } from './locate-parquet-row.js';
import { sourceColumns } from './source-columns.js';

/**
 * Runs `read` over the rows of `source` (every column as text, NULL as ''), with `line` the
 * 1-based row number over all parts; issues the reader throws are moved to their part and row.
 *
 * @throws DataError for a missing or duplicate column, a file DuckDB cannot read, or what `read` throws.
 */
export async function ingestTable<T>(source: DatasetSource, requiredColumns: readonly string[], read: (table: CsvTable) => Promise<T>): Promise<T> {
  return withDuckDb(async (connection) => {
    const columns = await sourceColumns(connection, source, requiredColumns);
    const from = columns.from.replace(/\)$/, source.format === 'parquet' ? ', filename = true, file_row_number = true)' : ', filename = true)');
    const rowNumber = source.format === 'parquet' ? 'file_row_number' : '0';
    const reader = await connection.runAndReadAll(
      `SELECT filename, ${rowNumber}, ${columns.columns.map((column) => `coalesce(CAST(${column.sql} AS VARCHAR), '')`).join(', ')} FROM ${from}`,
    );
    const rows = reader.getRows() as unknown[][];
    const fileOf = rows.map((row) => String(row[0]));
    const positions = new Map(columns.columns.map((column, index) => [column.name.toUpperCase(), index]));
    const table: CsvTable = {
      file: source.path,
      header: columns.columns.map((column) => column.name),
      columnIndex: (name) => positions.get(name.toUpperCase()) ?? -1,
      rows: {
        [Symbol.asyncIterator]: (): AsyncIterator<CsvRow> => {
          let index = 0;
          return {
            next: () =>
              Promise.resolve(
                index < rows.length
                  ? { done: false, value: { line: index + 1, record: rows[index++]!.slice(2).map(String) } }
                  : { done: true, value: undefined },
              ),
          };
        },
      },
      close: () => Promise.resolve(),
    };
    try {
      return await read(table);
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      const issues = await Promise.all(error.issues.map((issue) => relocate(connection, source, issue, fileOf, rows)));
      throw new DataError(issues, { cause: error });
    }
  });
}

/** Moves an issue from a global row number to its part file and row. */
async function relocate(connection: DuckDBConnection, source: DatasetSource, issue: InputIssue, fileOf: string[], rows: unknown[][]): Promise<InputIssue> {
  if (issue.line === undefined) return issue;
  const index = issue.line - 1;
  const file = fileOf[index] ?? source.path;
  let where: string;
  if (source.format === 'parquet') where = await locateParquetRow(connection, file, Number(rows[index]![1]));
  else where = `row ${fileOf.slice(0, index + 1).filter((name) => name === file).length} (not counting the header)`;
  const message = issue.message.replace(/repeats line (\d+)/, (_, line: string) => `repeats row ${line} of the dataset`);
  return { file, ...(issue.field !== undefined ? { field: issue.field } : {}), message: `${where}: ${message}` };
}
