/** Where a row of a Parquet file is, in words: its row number and its row group. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from './duckdb-session.js';

/**
 * "row 1,235 (row group 2)" for the 0-based `fileRowNumber` of `file`: rows are numbered from 1
 * as a person counts them, row groups from 0 as Parquet tools show them.
 */
export async function locateParquetRow(connection: DuckDBConnection, file: string, fileRowNumber: number): Promise<string> {
  const groups = (
    await connection.runAndReadAll(
      `SELECT row_group_id, any_value(row_group_num_rows) FROM parquet_metadata(${sqlString(file)}) GROUP BY row_group_id ORDER BY row_group_id`,
    )
  ).getRows();
  let start = 0;
  let group = 0;
  for (const [id, rows] of groups) {
    if (fileRowNumber < start + Number(rows)) {
      group = Number(id);
      break;
    }
    start += Number(rows);
  }
  return `row ${(fileRowNumber + 1).toLocaleString('en-US')} (row group ${group})`;
}
