/** Loads the interactions, items and users datasets of one directory. */
import { ConfigError, DataError } from '../core/errors.js';
import type { Datasets } from './datasets.js';
import { readInteractionsDataset, readItemsDataset, readUsersDataset } from '../ingest/dataset-readers.js';
import { findDatasetFiles, missingDatasetMessage, type DatasetName } from './find-dataset-files.js';
import { emptyUsers } from './read-users.js';

/** Progress of {@link loadDatasets}. */
export interface LoadProgress {
  dataset: DatasetName;
  /** Rows read so far from this dataset's file. */
  rowsRead: number;
  /** True on the last call for this dataset (same name as the pipeline's progress events). */
  finished: boolean;
}

/** Options of {@link loadDatasets}. */
export interface LoadDatasetsOptions {
  /** Called every 50,000 interactions and once per dataset when it is read. */
  onProgress?: (progress: LoadProgress) => void;
}

/**
 * Loads the interactions, items and users datasets of `dir`, each stored as `<name>.csv`,
 * `<name>.csv.gz`, `<name>.parquet` or a directory `<name>/` of part files (read by
 * `src/ingest/`: DuckDB for Parquet, parts and large CSV files), reading the three concurrently. Interactions and items are required. Users are optional here: without
 * a users file, `users` is empty, `files.users` is '' and `usersMissing` is true, and the caller
 * that needs identities decides whether that is an error.
 *
 * @throws ConfigError when `dir` is missing or lacks a required file (naming the directory and
 *   the expected file names); DataError (see the readers) when a file is malformed.
 */
export async function loadDatasets(dir: string, options: LoadDatasetsOptions = {}): Promise<Datasets> {
  const files = findDatasetFiles(dir);
  const missing = (['interactions', 'items'] as const).filter((name) => files[name] === undefined);
  if (missing.length > 0) {
    throw new ConfigError(
      missing.map((name) => ({
        file: dir,
        message: missingDatasetMessage(name),
      })),
    );
  }
  const interactionsFile = files.interactions!;
  const itemsFile = files.items!;
  const report = options.onProgress;

  const [interactions, items, users] = await Promise.all([
    readInteractionsDataset(interactionsFile, {
      onProgress: (rowsRead) => report?.({ dataset: 'interactions', rowsRead, finished: false }),
    }).then((read) => {
      report?.({ dataset: 'interactions', rowsRead: read.length, finished: true });
      return read;
    }),
    readItemsDataset(itemsFile).then((read) => {
      report?.({ dataset: 'items', rowsRead: read.itemIds.length, finished: true });
      return read;
    }),
    files.users === undefined
      ? Promise.resolve(emptyUsers())
      : readUsersDataset(files.users).then((read) => {
          report?.({ dataset: 'users', rowsRead: read.byId.size, finished: true });
          return read;
        }),
  ]);

  if (interactions.length === 0) {
    throw new DataError([{ file: interactionsFile, message: 'no interactions: the file has a header but no rows; segments need interaction history' }]);
  }
  if (items.itemIds.length === 0) {
    throw new DataError([{ file: itemsFile, message: 'no items: the file has a header but no rows' }]);
  }
  return {
    dir,
    interactions,
    items,
    users,
    files: { interactions: interactionsFile, items: itemsFile, users: files.users ?? '' },
    ...(files.users === undefined ? { usersMissing: true } : {}),
  };
}
