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

/** A typed array a query result column is copied into. */
type NumberColumn = Int32Array | Uint8Array | Float64Array;

/**
 * Copies a materialized result whose first column is each row's position (INTEGER, 0-based, every
 * position below the targets' length exactly once) into `targets` (one array per further column,
 * of the column's DuckDB type: INTEGER → Int32Array, UTINYINT → Uint8Array, DOUBLE → Float64Array):
 * `targets[c][position] = column c + 1`. The rows may come in any order (a hash join does not keep
 * it), so DuckDB can run the query on every thread. The query must give no NULL (their slots hold
 * whatever DuckDB left there). `onChunk` gets the rows copied so far.
 *
 * Vector memory is read as blocks through `@duckdb/node-bindings` (the node-api converts one value
 * per call, 10× slower at 50M rows); no JavaScript value is made per row.
 *
 * @returns the number of rows copied.
 */
export async function scatterByPosition(
  result: DuckDBMaterializedResult,
  targets: readonly NumberColumn[],
  onChunk?: (rowsCopied: number) => void,
): Promise<number> {
  let copied = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return copied;
    const count = chunk.rowCount;
    const position = vectorView(chunk.chunk, 0, Int32Array, count);
    for (let index = 0; index < targets.length; index++) {
      const target = targets[index]!;
      // One loop per array type: a loop that sees several types is megamorphic and 5× slower.
      if (target instanceof Int32Array) scatterInt32(target, position, vectorView(chunk.chunk, index + 1, Int32Array, count));
      else if (target instanceof Uint8Array) scatterUint8(target, position, vectorView(chunk.chunk, index + 1, Uint8Array, count));
      else scatterFloat64(target, position, vectorView(chunk.chunk, index + 1, Float64Array, count));
    }
    copied += count;
    onChunk?.(copied);
  }
}

function scatterInt32(target: Int32Array, position: Int32Array, values: Int32Array): void {
  for (let k = 0; k < values.length; k++) target[position[k]!] = values[k]!;
}
function scatterUint8(target: Uint8Array, position: Int32Array, values: Uint8Array): void {
  for (let k = 0; k < values.length; k++) target[position[k]!] = values[k]!;
}
function scatterFloat64(target: Float64Array, position: Int32Array, values: Float64Array): void {
  for (let k = 0; k < values.length; k++) target[position[k]!] = values[k]!;
}

type TypedConstructor<T> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; new (length: number): T; BYTES_PER_ELEMENT: number };

/** The first `count` values of a chunk's column as a typed array over DuckDB's memory (copied when unaligned). */
function vectorView<T extends NumberColumn>(chunk: bindings.DataChunk, column: number, Typed: TypedConstructor<T>, count: number): T {
  const bytes = bindings.vector_get_data(bindings.data_chunk_get_vector(chunk, column), count * Typed.BYTES_PER_ELEMENT);
  if (bytes.byteOffset % Typed.BYTES_PER_ELEMENT === 0) return new Typed(bytes.buffer, bytes.byteOffset, count);
  const aligned = new Typed(count);
  new Uint8Array(aligned.buffer).set(bytes);
  return aligned;
}
