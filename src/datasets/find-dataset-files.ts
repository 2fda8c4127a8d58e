/** Locates the three datasets of a directory. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.js';

/** The datasets, by the base name of their file (`interactions.csv`, `interactions.parquet`, `interactions/`). */
export const datasetNames = ['interactions', 'items', 'users'] as const;
export type DatasetName = (typeof datasetNames)[number];

/** Paths of the datasets of a directory (a file, or a directory of part files); `undefined` for a dataset that has none. */
export type DatasetFiles = Record<DatasetName, string | undefined>;

/** The ways a dataset may be stored, as named in messages. */
export const datasetLayouts = (name: string): string[] => [`${name}.csv`, `${name}.csv.gz`, `${name}.parquet`, `${name}/`];

/** How a missing dataset is described: "interactions.csv, interactions.csv.gz, interactions.parquet or a directory interactions/ of part files". */
export function expectedDatasetLayouts(name: string): string {
  const [csv, gz, parquet] = datasetLayouts(name);
  return `${csv}, ${gz}, ${parquet} or a directory ${name}/ of part files`;
}

/**
 * The message for a dataset a directory lacks, shared by `run` (loading) and `validate` (checking
 * without reading): "no items dataset: expected items.csv, items.csv.gz, items.parquet or a
 * directory items/ of part files in this directory". For users it says why they are needed and
 * the alternative (a PostgreSQL users source).
 */
export function missingDatasetMessage(name: DatasetName): string {
  const why = name === 'users' ? ' (USER_ID and EMAIL turn segments into audiences; or give the campaign a users: { postgres: { query } } source)' : '';
  return `no ${name} dataset: expected ${expectedDatasetLayouts(name)} in this directory${why}`;
}

/**
 * Finds each dataset of `dir`: `<name>.csv`, `<name>.csv.gz`, `<name>.parquet`, or a directory
 * `<name>/` of part files (see `src/ingest/dataset-source.ts`).
 *
 * @throws ConfigError when `dir` is not a directory, or when a dataset is stored in two ways
 *   (which one is meant would be a guess).
 */
export function findDatasetFiles(dir: string): DatasetFiles {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ConfigError(`dataset directory ${dir} does not exist or is not a directory`);
  }
  const found = {} as DatasetFiles;
  for (const name of datasetNames) {
    const candidates = datasetLayouts(name).filter((entry) => {
      const path = join(dir, entry);
      return existsSync(path) && statSync(path).isDirectory() === entry.endsWith('/');
    });
    if (candidates.length > 1) {
      throw new ConfigError(`dataset directory ${dir} has both ${candidates.join(' and ')}; keep only one`);
    }
    found[name] = candidates[0] === undefined ? undefined : join(dir, candidates[0].replace(/\/$/, ''));
  }
  return found;
}
