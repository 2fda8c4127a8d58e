/** What one dataset path holds: one CSV or Parquet file, or a directory of part files of one format. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../core/errors.js';

/** File formats the ingest engine reads. CSV may be gzip-compressed (`.csv.gz`). */
export type DatasetFormat = 'csv' | 'parquet';

/** A dataset as a list of files of one format, read in the listed order. */
export interface DatasetSource {
  /** The path as the caller named it: a file, or a directory of parts. */
  path: string;
  format: DatasetFormat;
  /** The files, sorted by name for a directory (`part-00000…` before `part-00001…`). */
  files: string[];
}

/** The format of a file by its name, or undefined for a file the engine does not read. */
export function formatOfFile(name: string): DatasetFormat | undefined {
  if (/\.csv(\.gz)?$/i.test(name)) return 'csv';
  if (/\.parquet$/i.test(name)) return 'parquet';
  return undefined;
}

/**
 * Describes the dataset at `path`. A directory holds part files of one format (`*.parquet`, or
 * `*.csv` / `*.csv.gz`); hidden files and others (`_SUCCESS`, `.crc`) are ignored, as Spark and
 * Glue write them beside their parts.
 *
 * @throws DataError when `path` does not exist, or a directory holds no part file or parts of both formats.
 */
export function datasetSource(path: string): DatasetSource {
  if (!existsSync(path)) throw new DataError([{ file: path, message: 'file not found' }]);
  if (!statSync(path).isDirectory()) return { path, format: formatOfFile(path) ?? 'csv', files: [path] };
  const parts = readdirSync(path)
    .filter((name) => !name.startsWith('.') && !name.startsWith('_') && formatOfFile(name) !== undefined)
    .sort();
  const formats = new Set(parts.map((name) => formatOfFile(name)!));
  if (parts.length === 0) {
    throw new DataError([{ file: path, message: 'the directory holds no part file; expected *.parquet, *.csv or *.csv.gz files' }]);
  }
  if (formats.size > 1) {
    throw new DataError([{ file: path, message: 'the directory mixes Parquet and CSV part files; keep one format per dataset' }]);
  }
  return { path, format: [...formats][0]!, files: parts.map((name) => join(path, name)) };
}
