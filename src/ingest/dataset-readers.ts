/**
 * The readers `loadDatasets` uses, by where a dataset is stored: a small CSV file goes through the
 * streaming CSV reader (exact line numbers, no database to start); a large CSV file, Parquet, and
 * directories of parts go through DuckDB.
 */
import { statSync } from 'node:fs';
import type { Interactions, Items, Users } from '../datasets/datasets.js';
import { readInteractions } from '../datasets/read-interactions.js';
import { readItems, readItemsTable } from '../datasets/read-items.js';
import { readUsers, readUsersTable } from '../datasets/read-users.js';
import { datasetSource, type DatasetSource } from './dataset-source.js';
import { ingestInteractions, type IngestInteractionsOptions } from './ingest-interactions.js';
import { ingestTable } from './ingest-table.js';

/**
 * Below this size (bytes on disk) a single CSV file is read by the streaming reader: DuckDB's
 * start-up and two scans cost more than they save on the bundled retail data (13 MB, 274,111 rows).
 */
export const streamingCsvMaxBytes = 32 * 2 ** 20;

function streamed(source: DatasetSource): boolean {
  return source.format === 'csv' && source.files.length === 1 && statSync(source.files[0]!).size < streamingCsvMaxBytes;
}

/** Reads the interactions dataset at `path` (file or directory of parts). */
export function readInteractionsDataset(path: string, options: IngestInteractionsOptions = {}): Promise<Interactions> {
  const source = datasetSource(path);
  return streamed(source) ? readInteractions(path, options) : ingestInteractions(source, options);
}

/** Reads the items dataset at `path`; a single CSV file of any size is streamed (items are few). */
export function readItemsDataset(path: string): Promise<Items> {
  const source = datasetSource(path);
  return isSingleCsv(source) ? readItems(path) : ingestTable(source, ['ITEM_ID'], (table) => readItemsTable(table));
}

/** Reads the users dataset at `path`; a single CSV file of any size is streamed. */
export function readUsersDataset(path: string): Promise<Users> {
  const source = datasetSource(path);
  return isSingleCsv(source) ? readUsers(path) : ingestTable(source, ['USER_ID'], readUsersTable);
}

function isSingleCsv(source: DatasetSource): boolean {
  return source.format === 'csv' && source.files.length === 1;
}
