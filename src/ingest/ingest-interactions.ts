/**
 * Reads an interactions dataset (CSV, CSV.gz, Parquet, or a directory of parts) into the typed
 * arrays of {@link Interactions} with DuckDB's multi-threaded readers, never making a JavaScript
 * value per row.
 *
 * Two scans of the files, both on every DuckDB thread. The first collects the distinct USER_ID,
 * ITEM_ID and EVENT_TYPE values and the row count (one `GROUPING SETS` aggregation); each value
 * gets a dense code in a dictionary table, and the values come to JavaScript once. The second
 * numbers the rows (`row_number() OVER ()`), hash-joins USER_ID and ITEM_ID (and EVENT_TYPE when
 * there are several) to their dictionaries, casts the TIMESTAMP to a double, and the result's
 * column vectors are written into the arrays at each row's position (a join does not keep row
 * order). The codes are then renumbered in order of first appearance, so the arrays are exactly
 * those of the streaming reader (`src/datasets/read-interactions.ts`).
 *
 * Bad data is found on the way (an empty id, a TIMESTAMP that is not integer epoch seconds, too
 * many event types, a row DuckDB cannot parse). A CSV file is then read again by the streaming
 * reader, which names the exact line, or reads it if DuckDB was only stricter; a Parquet file is
 * searched with SQL for the first bad row.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { DataError } from '../core/errors.js';
import type { Interactions } from '../datasets/datasets.js';
import { interactionProblems, looksLikeMilliseconds, maxEventTypes, progressEveryRows, readInteractions } from '../datasets/read-interactions.js';
import type { DatasetSource } from './dataset-source.js';
import { duckDbMessage, scatterByPosition, withDuckDb } from './duckdb-session.js';
import { locateParquetRow } from './locate-parquet-row.js';
import { sourceColumns, type SourceColumn, type SourceColumns } from './source-columns.js';

/** Options of {@link ingestInteractions}. */
export interface IngestInteractionsOptions {
  /** Called with the number of rows copied so far, about every {@link progressEveryRows} rows and at the end. */
  onProgress?: (rowsRead: number) => void;
}

/** The SQL of the four values every row gives. */
interface RowExpressions {
  user: string;
  item: string;
  event: string;
  /** TIMESTAMP as a DOUBLE of epoch seconds, NaN when it is not an integer. */
  time: string;
  /** The TIMESTAMP as written, for messages. */
  rawTime: string;
}

/** A problem found by the fast path; the slow path names its row. */
class BadRows extends Error {}

/**
 * Reads `source` into {@link Interactions}.
 *
 * @throws DataError (exit code 2) with the file and line (CSV) or row (Parquet) for the problems
 *   the streaming reader reports, for a Parquet TIMESTAMP of an unusable type, and for a file
 *   DuckDB cannot read at all.
 */
export async function ingestInteractions(source: DatasetSource, options: IngestInteractionsOptions = {}): Promise<Interactions> {
  try {
    return await withDuckDb(async (connection) => {
      const columns = await sourceColumns(connection, source, ['USER_ID', 'ITEM_ID', 'TIMESTAMP']);
      const expressions = rowExpressions(source, columns);
      try {
        return await readFast(connection, columns.from, expressions, options);
      } catch (error) {
        if (source.format === 'csv' || !(error instanceof BadRows)) throw error;
        throw await parquetProblem(connection, source, columns.from, expressions, error);
      }
    });
  } catch (error) {
    if (error instanceof DataError) throw error;
    if (source.format === 'csv') return readCsvSlowly(source, error, options);
    throw new DataError([{ file: source.path, message: `cannot read as Parquet: ${duckDbMessage(error)}` }], { cause: error });
  }
}

function rowExpressions(source: DatasetSource, columns: SourceColumns): RowExpressions {
  const text = (column: SourceColumn | undefined) => (column ? `coalesce(CAST(${column.sql} AS VARCHAR), '')` : `''`);
  const timestamp = columns.find('TIMESTAMP')!;
  return {
    user: text(columns.find('USER_ID')),
    item: text(columns.find('ITEM_ID')),
    event: text(columns.find('EVENT_TYPE')),
    time: timeExpression(source, timestamp),
    rawTime: text(timestamp),
  };
}

/** TIMESTAMP → DOUBLE epoch seconds, NaN for a value that is not an integer. */
function timeExpression(source: DatasetSource, column: SourceColumn): string {
  const { sql, type } = column;
  const nan = `'NaN'::DOUBLE`;
  // Text must be an integer as written: "12.0", "+12", " 12" or "1e3" do not survive the round trip.
  if (type === 'VARCHAR') return `CASE WHEN TRY_CAST(${sql} AS BIGINT)::VARCHAR = ${sql} THEN TRY_CAST(${sql} AS BIGINT)::DOUBLE ELSE ${nan} END`;
  if (/^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?)$/.test(type)) return `coalesce(${sql}::DOUBLE, ${nan})`;
  if (/^(DOUBLE|FLOAT|REAL|DECIMAL.*)$/.test(type)) return `CASE WHEN ${sql} = trunc(${sql}) THEN ${sql}::DOUBLE ELSE ${nan} END`;
  if (/^TIMESTAMP/.test(type)) return `coalesce(floor(epoch(${sql})), ${nan})`;
  throw new DataError([
    { file: source.path, field: 'TIMESTAMP', message: `Parquet type ${type} is not a time; expected integer Unix epoch seconds (or a TIMESTAMP type)` },
  ]);
}

async function readFast(connection: DuckDBConnection, from: string, sql: RowExpressions, options: IngestInteractionsOptions): Promise<Interactions> {
  // Scan 1: the distinct values of each column, and (the empty grouping set) the row count.
  await connection.run(
    `CREATE TEMP TABLE distinct_values AS SELECT GROUPING(u, i, e) AS g, coalesce(u, i, e) AS v, count(*) AS n
     FROM (SELECT ${sql.user} AS u, ${sql.item} AS i, ${sql.event} AS e FROM ${from})
     GROUP BY GROUPING SETS ((u), (i), (e), ())`,
  );
  // GROUPING() sets a bit per column left out of the set: (u) → 0b011, (i) → 0b101, (e) → 0b110, () → 0b111.
  const sets = { user: 3, item: 5, event: 6 } as const;
  const summary = (await connection.runAndReadAll(`SELECT g, count(*), bool_or(v = ''), sum(n) FROM distinct_values GROUP BY g`)).getRows();
  const groups = new Map(summary.map(([g, distinct, empty, rows]) => [Number(g), { distinct: Number(distinct), empty: empty === true, rows: Number(rows) }]));
  const length = groups.get(7)?.rows ?? 0;
  if (length === 0) return emptyInteractions();
  if (groups.get(sets.user)!.empty || groups.get(sets.item)!.empty || groups.get(sets.event)!.distinct > maxEventTypes) throw new BadRows();

  // Dictionaries: each distinct value gets a dense code; their values come to JavaScript once, in code order.
  const values: Record<keyof typeof sets, string[]> = { user: [], item: [], event: [] };
  for (const [name, g] of Object.entries(sets) as Array<[keyof typeof sets, number]>) {
    await connection.run(`CREATE TEMP TABLE ${name}_dict AS SELECT v, (row_number() OVER () - 1)::INTEGER AS code FROM distinct_values WHERE g = ${g}`);
    values[name] = (await connection.runAndReadAll(`SELECT v FROM ${name}_dict ORDER BY code`)).getColumns()[0]!.map(String);
  }
  await connection.run('DROP TABLE distinct_values');

  // Scan 2: every row's position and codes, by hash joins to the dictionaries (the ENUM casts of
  // a VARCHAR were 3× slower at 1M users, and far slower when a user's rows are not together).
  // DuckDB guesses a CSV file at a few dozen rows and would hash the 50M rows instead of the
  // dictionaries: the join order is kept as written, dictionaries on the build side.
  await connection.run(`SET disabled_optimizers = 'join_order,build_side_probe_side'`);
  // One event type (no EVENT_TYPE column, or one value) needs no join.
  const oneEvent = values.event.length === 1;
  const result = await connection.run(
    `SELECT r.position, user_dict.code, item_dict.code, ${oneEvent ? '0' : 'event_dict.code'}::UTINYINT, r.t
     FROM (SELECT (row_number() OVER () - 1)::INTEGER AS position, ${sql.user} AS u, ${sql.item} AS i, ${oneEvent ? '' : `${sql.event} AS e, `}${sql.time} AS t FROM ${from}) r
     JOIN user_dict ON r.u = user_dict.v JOIN item_dict ON r.i = item_dict.v${oneEvent ? '' : ' JOIN event_dict ON r.e = event_dict.v'}`,
  );
  await connection.run(`RESET disabled_optimizers`);
  if (result.rowCount !== length) throw new Error(`the dictionary join gave ${result.rowCount} rows of ${length}`);
  const user = new Int32Array(length);
  const item = new Int32Array(length);
  const eventType = new Uint8Array(length);
  const timestamp = new Float64Array(length);
  let reported = 0;
  await scatterByPosition(result, [user, item, eventType, timestamp], (copied) => {
    if (copied - reported >= progressEveryRows) options.onProgress?.((reported = copied));
  });
  options.onProgress?.(length);
  for (let r = 0; r < length; r++) {
    const seconds = timestamp[r]!;
    if (Number.isNaN(seconds) || looksLikeMilliseconds(seconds)) throw new BadRows();
  }
  return {
    userIds: renumberByFirstAppearance(user, values.user),
    itemIds: renumberByFirstAppearance(item, values.item),
    eventTypes: renumberByFirstAppearance(eventType, values.event),
    length,
    user,
    item,
    timestamp,
    eventType,
  };
}

/** Rewrites `codes` in place so that values are numbered in order of first appearance; returns the values in that order. */
function renumberByFirstAppearance(codes: Int32Array | Uint8Array, values: readonly string[]): string[] {
  const renumbered = new Int32Array(values.length).fill(-1);
  const inOrder: string[] = [];
  for (let r = 0; r < codes.length; r++) {
    const code = codes[r]!;
    let next = renumbered[code]!;
    if (next < 0) {
      next = renumbered[code] = inOrder.length;
      inOrder.push(values[code]!);
    }
    codes[r] = next;
  }
  return inOrder;
}

function emptyInteractions(): Interactions {
  return { userIds: [], itemIds: [], eventTypes: [], length: 0, user: new Int32Array(0), item: new Int32Array(0), timestamp: new Float64Array(0), eventType: new Uint8Array(0) };
}

/**
 * The CSV path when DuckDB refused the file or found a bad row: the streaming reader names the
 * line, or reads the file if DuckDB was only stricter. Parts are read one by one to find the bad one.
 */
async function readCsvSlowly(source: DatasetSource, cause: unknown, options: IngestInteractionsOptions): Promise<Interactions> {
  if (source.files.length === 1) return readInteractions(source.files[0]!, options);
  for (const file of source.files) await readInteractions(file);
  throw new DataError([{ file: source.path, message: `cannot read the CSV parts: ${duckDbMessage(cause)}` }], { cause });
}

/** The first bad row of a Parquet source, as the streaming reader would word it. */
async function parquetProblem(connection: DuckDBConnection, source: DatasetSource, from: string, sql: RowExpressions, cause: BadRows): Promise<DataError> {
  const withRows = from.replace(/\)$/, ', filename = true, file_row_number = true)');
  const bad = (
    await connection.runAndReadAll(
      `SELECT filename, file_row_number, u, i, t, raw FROM (SELECT filename, file_row_number, ${sql.user} AS u, ${sql.item} AS i, ${sql.time} AS t, ${sql.rawTime} AS raw FROM ${withRows})
       WHERE u = '' OR i = '' OR isnan(t) OR abs(t) > 1e11 ORDER BY filename, file_row_number LIMIT 1`,
    )
  ).getRows()[0];
  if (!bad) return new DataError([{ file: source.path, field: 'EVENT_TYPE', message: interactionProblems.tooManyEventTypes }], { cause });
  const [file, row, user, item, time, raw] = bad as [string, bigint, string, string, number, string];
  const [field, message] =
    user === ''
      ? ['USER_ID', interactionProblems.emptyUser]
      : item === ''
        ? ['ITEM_ID', interactionProblems.emptyItem]
        : Number.isNaN(time)
          ? ['TIMESTAMP', interactionProblems.notInteger(raw)]
          : ['TIMESTAMP', interactionProblems.milliseconds(raw)];
  return new DataError([{ file, field, message: `${await locateParquetRow(connection, file, Number(row))}: ${message}` }], { cause });
}
