/**
 * Suppression lists: CSV files (one header row) with an `EMAIL` and/or a `USER_ID` column (matched
 * case-insensitively) of people who must never reach a destination. The global list
 * (`AFFINITY_SUPPRESSION_FILE`, else `suppression.csv` in the campaign file's directory) applies to
 * every campaign; a campaign's `suppress:` lists add to it.
 */
import { access } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ConfigError, DataError, type InputIssue } from '../core/errors.js';
import { readCsv } from '../datasets/csv-reader.js';
import { normalizeEmail } from '../identity/normalize-email.js';
import type { SuppressEntry } from './controls-schema.js';

/** Environment variable naming the global suppression file. */
export const SUPPRESSION_FILE_VARIABLE = 'AFFINITY_SUPPRESSION_FILE';
/** Global suppression file looked for beside the campaign files when the variable is not set. */
export const CONFIG_DIR_SUPPRESSION_FILE = 'suppression.csv';

/** One suppression list, read. */
export interface SuppressionList {
  /** Name of the list in reports: its `reason`, else `global` or the file name. */
  reason: string;
  /** Normalised emails. */
  emails: Set<string>;
  userIds: Set<string>;
}

/** Where a suppression list comes from. */
export interface SuppressionSource {
  file: string;
  reason: string;
  /** Field that named it, for errors (`suppress[1]`, `AFFINITY_SUPPRESSION_FILE`). */
  field: string;
}

/**
 * The suppression lists a campaign honours: the global one first, then its own.
 * @param campaignDir - the campaign file's directory: `suppress:` paths and `suppression.csv` resolve against it
 * @param cwd - `AFFINITY_SUPPRESSION_FILE` resolves against it
 */
export async function suppressionSources(
  entries: readonly SuppressEntry[] | undefined,
  campaignDir: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<SuppressionSource[]> {
  const sources: SuppressionSource[] = [];
  const fromEnv = env[SUPPRESSION_FILE_VARIABLE]?.trim();
  if (fromEnv) {
    sources.push({ file: resolve(cwd, fromEnv), reason: 'global', field: SUPPRESSION_FILE_VARIABLE });
  } else {
    const beside = join(campaignDir, CONFIG_DIR_SUPPRESSION_FILE);
    const exists = await access(beside).then(() => true, () => false);
    if (exists) sources.push({ file: beside, reason: 'global', field: CONFIG_DIR_SUPPRESSION_FILE });
  }
  for (const [index, entry] of (entries ?? []).entries()) {
    const file = typeof entry === 'string' ? entry : entry.file;
    const reason = typeof entry === 'string' ? basename(file) : (entry.reason ?? basename(file));
    sources.push({ file: resolve(campaignDir, file), reason, field: `suppress[${index}]` });
  }
  return sources;
}

/**
 * Reads every list; every missing or malformed file is reported at once.
 * @throws ConfigError naming the field and the file (missing file, no EMAIL or USER_ID column)
 */
export async function readSuppressionLists(sources: readonly SuppressionSource[], campaignFile: string): Promise<SuppressionList[]> {
  const issues: InputIssue[] = [];
  const lists: SuppressionList[] = [];
  for (const source of sources) {
    try {
      lists.push(await readSuppressionList(source));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const detail = error.issues.map((issue) => `${issue.line !== undefined ? `line ${issue.line}: ` : ''}${issue.message}`).join('; ');
      issues.push({ file: campaignFile, field: source.field, message: `suppression file ${source.file}: ${detail}` });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return lists;
}

async function readSuppressionList(source: SuppressionSource): Promise<SuppressionList> {
  const exists = await access(source.file).then(() => true, () => false);
  if (!exists) throw new ConfigError('not found; expected a CSV file with a header and an EMAIL or USER_ID column');
  const table = await readCsv(source.file);
  const emailColumn = table.columnIndex('email');
  const userIdColumn = table.columnIndex('user_id');
  if (emailColumn < 0 && userIdColumn < 0) {
    throw new DataError(`no EMAIL or USER_ID column in the header (found: ${table.header.join(', ') || 'nothing'})`);
  }
  const list: SuppressionList = { reason: source.reason, emails: new Set(), userIds: new Set() };
  for await (const { record } of table.rows) {
    const email = emailColumn >= 0 ? normalizeEmail(record[emailColumn] ?? '') : '';
    const userId = userIdColumn >= 0 ? (record[userIdColumn] ?? '').trim() : '';
    if (email !== '') list.emails.add(email);
    if (userId !== '') list.userIds.add(userId);
  }
  return list;
}
