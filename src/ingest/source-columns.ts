/**
 * The columns of a dataset source as SQL: the header of its CSV files or the schema of its Parquet
 * files, checked for the required columns, and the `FROM` clause that reads it with DuckDB.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { DataError } from '../core/errors.js';
import { readCsv } from '../datasets/csv-reader.js';
import { duckDbMessage, sqlIdentifier, sqlStringList } from './duckdb-session.js';
import type { DatasetSource } from './dataset-source.js';

/** One column of a source. */
export interface SourceColumn {
  /** Name as written in the header or the Parquet schema (trimmed). */
  name: string;
  /** SQL that reads the column in {@link SourceColumns.from}. */
  sql: string;
  /** DuckDB type name: always `VARCHAR` for CSV (every cell is read as text). */
  type: string;
}

/** A source's columns and how to read them. */
export interface SourceColumns {
  columns: SourceColumn[];
  /** The column named `name` (case-insensitive), or undefined. */
  find(name: string): SourceColumn | undefined;
  /** A `FROM` item reading every file of the source in order. */
  from: string;
}

/**
 * Reads the header of every CSV part (with the CSV reader, so header problems keep their
 * messages) or the Parquet schema, and checks the required columns.
 *
 * @throws DataError naming the file for a missing or duplicate column, parts with different
 *   headers, or a Parquet file DuckDB cannot read.
 */
export async function sourceColumns(connection: DuckDBConnection, source: DatasetSource, requiredColumns: readonly string[]): Promise<SourceColumns> {
  const columns = source.format === 'csv' ? await csvColumns(source, requiredColumns) : await parquetColumns(connection, source, requiredColumns);
  const byName = new Map(columns.map((column) => [column.name.toUpperCase(), column]));
  const from =
    source.format === 'csv'
      ? `read_csv(${sqlStringList(source.files)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', ` +
        `strict_mode = true, null_padding = false, columns = {${columns.map((_, index) => `'c${index}': 'VARCHAR'`).join(', ')}})`
      : `read_parquet(${sqlStringList(source.files)})`;
  return { columns, find: (name) => byName.get(name.toUpperCase()), from };
}

async function csvColumns(source: DatasetSource, requiredColumns: readonly string[]): Promise<SourceColumn[]> {
  let first: string[] | undefined;
  for (const file of source.files) {
    const table = await readCsv(file, { requiredColumns });
    await table.close();
    if (first === undefined) first = table.header;
    else if (table.header.join(',').toUpperCase() !== first.join(',').toUpperCase()) {
      throw new DataError([
        { file, line: 1, message: `the header ${table.header.join(',')} differs from ${source.files[0]}'s (${first.join(',')}); every part needs the same columns in the same order` },
      ]);
    }
  }
  // Positional names: the header's own names may hold spaces, quotes or differ in case between parts.
  return first!.map((name, index) => ({ name, sql: `"c${index}"`, type: 'VARCHAR' }));
}

async function parquetColumns(connection: DuckDBConnection, source: DatasetSource, requiredColumns: readonly string[]): Promise<SourceColumn[]> {
  let rows: unknown[][];
  try {
    rows = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlStringList(source.files)})`)).getRows();
  } catch (error) {
    throw new DataError([{ file: source.path, message: `cannot read as Parquet: ${duckDbMessage(error)}` }], { cause: error });
  }
  const columns = rows.map(([name, type]) => ({ name: String(name), sql: sqlIdentifier(String(name)), type: String(type) }));
  const seen = new Map<string, string>();
  for (const column of columns) {
    const earlier = seen.get(column.name.toUpperCase());
    if (earlier !== undefined) {
      throw new DataError([{ file: source.path, field: column.name, message: `duplicate column (also "${earlier}"); column names are case-insensitive` }]);
    }
    seen.set(column.name.toUpperCase(), column.name);
  }
  const missing = requiredColumns.filter((name) => !seen.has(name.toUpperCase()));
  if (missing.length > 0) {
    throw new DataError(
      missing.map((name) => ({
        file: source.path,
        field: name,
        message: `required column ${name} is missing; columns found: ${columns.map((column) => column.name).join(',')}`,
      })),
    );
  }
  return columns;
}
