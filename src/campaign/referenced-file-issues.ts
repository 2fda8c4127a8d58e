/**
 * `validate` without `--with-data`: every file and directory a campaign names exists, without
 * reading them (a quick check for CI and editors). The dataset directory must hold the three
 * datasets a run needs: interactions, items and users (USER_ID → EMAIL).
 */
import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { ConfigError, type InputIssue } from '../core/errors.js';
import { datasetNames, findDatasetFiles, missingDatasetMessage } from '../datasets/find-dataset-files.js';
import { isS3Url, parseS3Url } from '../s3-datasets/s3-url.js';
import type { LocatePath } from './config-issues.js';
import type { LoadedCampaign } from './load-campaign.js';
import type { FromNewItemsRule } from './new-items-query-schema.js';

/** Where the checked paths come from. */
export interface ReferencedFileOptions {
  /** Directory `--data` resolves against. */
  cwd: string;
  /** `--data`, which replaces the campaign's `data`. */
  dataDir?: string;
  /** Line of a field path in the campaign file. */
  locate?: LocatePath;
}

/** Problems with the files `loaded` names: missing files, a missing or incomplete dataset directory. */
export function referencedFileIssues(loaded: LoadedCampaign, options: ReferencedFileOptions): InputIssue[] {
  const { campaign, file, baseDir } = loaded;
  const at = (path: readonly PropertyKey[], field: string, message: string): InputIssue => {
    const line = options.locate?.(path);
    return { file, ...(line !== undefined ? { line } : {}), field, message };
  };
  const issues: InputIssue[] = [];
  const missing = (written: string, path: string) => {
    const shown = relative(baseDir, path) === written ? '' : ` (looked for ${path}; paths are relative to the campaign file)`;
    return `${written}: file not found${shown}`;
  };

  // Users come from the users dataset unless the campaign reads them from PostgreSQL (as `run` does).
  const needsUsers = campaign.users?.postgres === undefined;
  if (options.dataDir !== undefined) {
    issues.push(...datasetLocationIssues(options.dataDir, options.cwd, needsUsers).map((message) => ({ field: '--data', message })));
  } else if (campaign.data === undefined) {
    issues.push({ file, field: 'data', message: 'no dataset: add `data: <dataset directory>` (relative to this file) to the campaign, or pass --data <dir>' });
  } else {
    issues.push(...datasetLocationIssues(campaign.data, baseDir, needsUsers).map((message) => at(['data'], 'data', `${campaign.data}: ${message}`)));
  }

  if (campaign.type === 'excess-inventory' && 'inventory' in campaign.items) {
    const written = campaign.items.inventory.file;
    const path = resolve(baseDir, written);
    if (!isFile(path)) issues.push(at(['items', 'inventory', 'file'], 'items.inventory.file', missing(written, path)));
  }
  if (campaign.type === 'new-items') {
    for (const [index, query] of campaign.queries.entries()) {
      const written = typeof query === 'object' && 'fromNewItems' in query ? (query.fromNewItems as FromNewItemsRule).file : undefined;
      if (written === undefined) continue;
      const path = resolve(baseDir, written);
      if (!isFile(path)) issues.push(at(['queries', index, 'fromNewItems', 'file'], `queries[${index}].fromNewItems.file`, missing(written, path)));
    }
  }
  return issues;
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/**
 * What is wrong with a dataset location. An `s3://` URL is only checked for its form: its objects
 * cannot be listed without the network (`validate --with-data` downloads them as `run` does).
 */
function datasetLocationIssues(location: string, baseDir: string, needsUsers: boolean): string[] {
  if (isS3Url(location)) return parseS3Url(location) ? [] : [`"${location}" is not an S3 location; expected s3://bucket/prefix/`];
  return datasetDirectoryIssues(resolve(baseDir, location), needsUsers);
}

/** What is wrong with a dataset directory: missing, or without one of the datasets a run needs. */
function datasetDirectoryIssues(dir: string, needsUsers: boolean): string[] {
  let files;
  try {
    files = findDatasetFiles(dir);
  } catch (error) {
    if (error instanceof ConfigError) return [existsSync(dir) ? error.message : `dataset directory not found (looked for ${dir})`];
    throw error;
  }
  return datasetNames
    .filter((name) => files[name] === undefined && (needsUsers || name !== 'users'))
    .map((name) => `${dir}: ${missingDatasetMessage(name)}`);
}
