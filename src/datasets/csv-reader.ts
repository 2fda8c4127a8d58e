/**
 * Streaming reader for the CSV files of the Amazon Personalize layout (RFC 4180: comma-separated,
 * one header row, `"`-quoted fields with `""` as an escaped quote), plain or gzip-compressed.
 *
 * Source of the format: Amazon Personalize developer guide, "Formatting your input data"
 * (https://docs.aws.amazon.com/personalize/latest/dg/data-prep-formatting.html).
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CsvError, parse } from 'csv-parse';
import { DataError } from '../core/errors.js';

/** One data row of a CSV file. */
export interface CsvRow {
  /** 1-based physical line of the file where the row starts (the header is line 1). */
  line: number;
  /** The row's fields, in header order; at least as many as the header has columns. */
  record: string[];
}

/** An opened CSV file: its header, and its data rows, read lazily. */
export interface CsvTable {
  /** The file as the caller named it (used in error messages). */
  file: string;
  /** Column names as written in the header (trimmed). */
  header: string[];
  /**
   * Index of a column, matched case-insensitively (`user_id` finds `USER_ID`), or -1 when the
   * header has no such column.
   */
  columnIndex(name: string): number;
  /** The data rows, in file order. Iterate once; breaking out of the loop closes the file. */
  rows: AsyncIterable<CsvRow>;
  /** Closes the file without reading the rows (after a look at the header). */
  close(): Promise<void>;
}

/** Options of {@link readCsv}. */
export interface ReadCsvOptions {
  /**
   * Columns the header must contain (case-insensitive). A missing one is a {@link DataError}
   * naming it and listing the header found.
   * @defaultValue `[]`
   */
  requiredColumns?: readonly string[];
}

/**
 * Opens a CSV file (gunzipped on the fly when its name ends in `.gz`) and reads its header.
 *
 * Rules: empty lines are skipped; a UTF-8 BOM is dropped; columns beyond the required ones are
 * allowed. A row with fewer or more fields than the header, an unterminated quote or a stray
 * quote inside an unquoted field is a {@link DataError} carrying the file and line.
 *
 * @throws DataError when the file cannot be read, is empty, has a duplicate or missing column,
 *   or (while iterating `rows`) when a row is malformed.
 */
export async function readCsv(file: string, options: ReadCsvOptions = {}): Promise<CsvTable> {
  // No `info: true`: building csv-parse's info object per record doubles the parse time, so
  // physical lines are counted here. Empty lines come through as [''] and are skipped below.
  const parser = parse({ relax_column_count: true, skip_empty_lines: false, bom: true });
  const source = createReadStream(file);
  const onDone = (): void => undefined; // errors surface through the parser's iterator
  if (file.endsWith('.gz')) pipeline(source, createGunzip(), parser, onDone);
  else pipeline(source, parser, onDone);

  const iterator = (parser as AsyncIterable<string[]>)[Symbol.asyncIterator]();
  let nextLine = 1;

  const next = async (): Promise<CsvRow | undefined> => {
    for (;;) {
      let result: IteratorResult<string[]>;
      try {
        result = await iterator.next();
      } catch (error) {
        throw toDataError(file, error, nextLine);
      }
      if (result.done) return undefined;
      const record = result.value;
      const line = nextLine;
      nextLine += 1;
      // a quoted field may span lines
      for (const field of record) if (field.includes('\n')) nextLine += field.split('\n').length - 1;
      if (record.length === 1 && record[0] === '') continue;
      return { line, record };
    }
  };

  const first = await next();
  if (!first) throw new DataError([{ file, line: 1, message: 'the file is empty; expected a header row' }]);
  const header = first.record.map((name) => name.trim());
  const positions = new Map<string, number>();
  header.forEach((name, index) => {
    const key = name.toUpperCase();
    const earlier = positions.get(key);
    if (earlier !== undefined) {
      void iterator.return?.();
      throw new DataError([
        { file, line: 1, field: name, message: `duplicate column (also column ${earlier + 1} "${header[earlier]}")` },
      ]);
    }
    positions.set(key, index);
  });
  const missing = (options.requiredColumns ?? []).filter((name) => !positions.has(name.toUpperCase()));
  if (missing.length > 0) {
    void iterator.return?.();
    throw new DataError(
      missing.map((name) => ({
        file,
        line: 1,
        field: name,
        message: `required column ${name} is missing; header found: ${header.join(',')}`,
      })),
    );
  }

  const width = header.length;
  async function* rows(): AsyncGenerator<CsvRow> {
    try {
      for (let row = await next(); row; row = await next()) {
        if (row.record.length !== width) {
          const fewer = row.record.length < width;
          throw new DataError([
            {
              file,
              line: row.line,
              ...(fewer ? { field: header[row.record.length] } : {}),
              message: `expected ${width} fields as in the header, found ${row.record.length}${
                fewer ? ` (no value for ${header[row.record.length]})` : ' (unquoted comma in a field?)'
              }`,
            },
          ]);
        }
        yield row;
      }
    } finally {
      await iterator.return?.();
    }
  }

  return {
    file,
    header,
    columnIndex: (name) => positions.get(name.toUpperCase()) ?? -1,
    rows: rows(),
    close: async () => {
      await iterator.return?.();
    },
  };
}

function toDataError(file: string, error: unknown, pendingLine: number): DataError {
  if (error instanceof DataError) return error;
  if (error instanceof CsvError) {
    const context = error as CsvError & { lines?: number };
    if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
      return new DataError(
        [{ file, line: pendingLine, message: 'a quoted field is never closed (missing `"` before the end of the file)' }],
        { cause: error },
      );
    }
    return new DataError([{ file, line: context.lines ?? pendingLine, message: `malformed CSV: ${error.message}` }], {
      cause: error,
    });
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new DataError([{ file, message: 'file not found' }], { cause: error });
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') {
    return new DataError([{ file, message: 'not a valid gzip file (the name ends in .gz)' }], { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DataError([{ file, message: `cannot read the file: ${message}` }], { cause: error });
}
