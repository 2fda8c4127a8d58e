/** Locates the three dataset files of a directory. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.js';

/** The datasets, by the base name of their file (`interactions.csv` or `interactions.csv.gz`). */
export const datasetNames = ['interactions', 'items', 'users'] as const;
export type DatasetName = (typeof datasetNames)[number];

/** Paths of the dataset files of a directory; `undefined` for a dataset without a file. */
export type DatasetFiles = Record<DatasetName, string | undefined>;

/**
 * Finds `<name>.csv` or `<name>.csv.gz` for each dataset in `dir`.
 *
 * @throws ConfigError when `dir` is not a directory, or when both `<name>.csv` and
 *   `<name>.csv.gz` exist (which one is meant would be a guess).
 */
export function findDatasetFiles(dir: string): DatasetFiles {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ConfigError(`dataset directory ${dir} does not exist or is not a directory`);
  }
  const found = {} as DatasetFiles;
  for (const name of datasetNames) {
    const candidates = [`${name}.csv`, `${name}.csv.gz`].map((file) => join(dir, file)).filter((path) => existsSync(path));
    if (candidates.length > 1) {
      throw new ConfigError(`dataset directory ${dir} has both ${name}.csv and ${name}.csv.gz; keep only one`);
    }
    found[name] = candidates[0];
  }
  return found;
}
