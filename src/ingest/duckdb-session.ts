/**
 * A short-lived in-memory DuckDB (`@duckdb/node-api`) for one ingest: opened, used, closed, so its
 * memory is returned as soon as the typed arrays are built.
 */
import { availableParallelism } from 'node:os';
import { DuckDBInstance, type DuckDBConnection, type DuckDBMaterializedResult } from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';

/** Runs `work` with a connection to a fresh in-memory database, closed afterwards. */
export async function withDuckDb<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(availableParallelism()) });
  const connection = await instance.connect();
  try {
    return await work(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A SQL string literal: `O'Brien` → `'O''Brien'`. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A SQL list of string literals: `['a.parquet', 'b.parquet']`. */
export function sqlStringList(values: readonly string[]): string {
  return `[${values.map(sqlString).join(', ')}]`;
}

/** A quoted SQL identifier: `user id` → `"user id"`. */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The first line of a DuckDB error, without its `Conversion Error: ` style prefix kept: what the user reads. */
export function duckDbMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.trim();
}

/** One column of a query result, by position, as the typed array the caller allocated. */
type NumberColumn = Int32Array | Uint8Array | Float64Array;

/**
 * Copies the numeric columns of a materialized result into `columns` (one array per result column,
 * of the column's DuckDB type: INTEGER → Int32Array, UTINYINT → Uint8Array, DOUBLE → Float64Array;
 * each at least `result.rowCount` long), chunk by chunk, in result order. The query must give no
 * NULL (their slots hold whatever DuckDB left there). `onChunk` gets the rows copied so far.
 *
 * The vectors' memory is copied as a block through `@duckdb/node-bindings` (the node-api reads one
 * value per call, 10× slower at 50M rows).
 */
export async function copyNumberColumns(
  result: DuckDBMaterializedResult,
  columns: readonly NumberColumn[],
  onChunk?: (rowsCopied: number) => void,
): Promise<number> {
  let offset = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return offset;
    const count = chunk.rowCount;
    columns.forEach((target, index) => {
      const bytes = bindings.vector_get_data(bindings.data_chunk_get_vector(chunk.chunk, index), count * target.BYTES_PER_ELEMENT);
      const Typed = target.constructor as new (buffer: ArrayBufferLike, byteOffset: number, length: number) => NumberColumn;
      // The view may be unaligned for its type: copy through bytes when it is.
      if (bytes.byteOffset % target.BYTES_PER_ELEMENT === 0) target.set(new Typed(bytes.buffer, bytes.byteOffset, count), offset);
      else new Uint8Array(target.buffer, target.byteOffset + offset * target.BYTES_PER_ELEMENT, bytes.length).set(bytes);
    });
    offset += count;
    onChunk?.(offset);
  }
}
