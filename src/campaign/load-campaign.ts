/**
 * Loads campaign files (YAML, or JSON by extension): parse, refuse secrets, validate against the
 * campaign schema, and report every problem of every file at once, each with file, line and field.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, type InputIssue } from '../core/errors.js';
import { audienceNameIssues } from './audience-name-issues.js';
import { campaignErrorMap } from './campaign-error-map.js';
import { campaignCommonSchema, campaignSchema, type Campaign } from './campaign-schema.js';
import { toInputIssues, type LocatePath } from './config-issues.js';
import { formatFieldPath } from './field-path.js';
import { findSecretKeys } from './secret-keys.js';
import { yamlLocator } from './yaml-locations.js';

/** A validated campaign and where it came from. */
export interface LoadedCampaign {
  /** The file as the caller named it (used in messages). */
  file: string;
  /** Absolute directory of the file; the campaign's relative paths resolve against it. */
  baseDir: string;
  campaign: Campaign;
}

/** The outcome of checking one file: the campaign, or every problem found. */
export type CampaignFileCheck = { ok: true; loaded: LoadedCampaign; locate: LocatePath } | { ok: false; issues: InputIssue[] };

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Where relative campaign paths are read from. */
export interface LoadCampaignOptions {
  /** Directory relative file names resolve against; messages keep the names as given. @defaultValue `process.cwd()` */
  cwd?: string;
  /**
   * Indexes of `queries` entries to leave out before the schema check (`validate --with-data` plans
   * the other queries of a file whose some queries are malformed). Lines still refer to the file.
   */
  omitQueries?: ReadonlySet<number>;
}

/** Reads and validates one campaign file without throwing for its problems. */
export async function checkCampaignFile(file: string, options: LoadCampaignOptions = {}): Promise<CampaignFileCheck> {
  const path = resolve(options.cwd ?? process.cwd(), file);
  const fail = (message: string, line?: number): CampaignFileCheck => ({
    ok: false,
    issues: [{ file, ...(line !== undefined ? { line } : {}), message }],
  });
  const extension = extname(file).toLowerCase();
  const isDirectory = await stat(path).then((stats) => stats.isDirectory(), () => false);
  if (isDirectory) return fail('is a directory; expected a .yaml, .yml or .json file');
  if (!EXTENSIONS.has(extension)) return fail(`expected a .yaml, .yml or .json campaign file, not "${extension || 'no extension'}"`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(error)})`);
  }

  if (text.trim() === '') return fail('the file is empty; expected a campaign');
  const lineCounter = new LineCounter();
  // JSON files are parsed as JSON (errors in JSON terms); the YAML document only locates fields.
  const document = parseDocument(text, { lineCounter, prettyErrors: true, ...(extension === '.json' ? { schema: 'json' } : {}) });
  let input: unknown;
  if (extension === '.json') {
    const parsedJson = parseJson(text);
    if (!parsedJson.ok) {
      const position = parsedJson.offset !== undefined ? lineCounter.linePos(parsedJson.offset) : document.errors[0]?.linePos?.[0];
      return fail(`invalid JSON${position ? ` at line ${position.line}, column ${position.col}` : ''}: ${parsedJson.reason}`, position?.line);
    }
    input = parsedJson.value;
  } else {
    if (document.errors.length > 0) {
      return {
        ok: false,
        issues: document.errors.map((error) => {
          const position = error.linePos?.[0];
          return {
            file,
            ...(position ? { line: position.line } : {}),
            message: `invalid YAML${position ? ` at line ${position.line}, column ${position.col}` : ''}: ${firstLine(error.message)}`,
          };
        }),
      };
    }
    input = document.toJS();
  }
  if (input === null || input === undefined) return fail('the file is empty; expected a campaign');
  const omit = options.omitQueries;
  if (omit && typeof input === 'object' && Array.isArray((input as { queries?: unknown }).queries)) {
    const fields = input as { queries: unknown[] };
    input = { ...fields, queries: fields.queries.filter((_, index) => !omit.has(index)) };
  }
  const locate = yamlLocator(document, lineCounter);

  const secretIssues: InputIssue[] = findSecretKeys(input).map(({ path: keyPath, message }) => {
    const line = locate(keyPath);
    return { file, ...(line !== undefined ? { line } : {}), field: formatFieldPath(keyPath), message };
  });
  const secretFields = new Set(secretIssues.map((issue) => issue.field));

  const parsed = campaignSchema().safeParse(input, { error: campaignErrorMap });
  let issues: InputIssue[] = [];
  if (!parsed.success) {
    issues = toInputIssues(parsed.error.issues, input, file, locate);
    if (issues.length === 1 && issues[0]?.field === 'type') {
      const common = campaignCommonSchema().safeParse(input, { error: campaignErrorMap });
      if (!common.success) issues.push(...toInputIssues(common.error.issues, input, file, locate));
    }
  }
  if (parsed.success) {
    for (const { path: fieldPath, message } of audienceNameIssues(parsed.data)) {
      const line = locate(fieldPath);
      issues.push({ file, ...(line !== undefined ? { line } : {}), field: formatFieldPath(fieldPath), message });
    }
  }
  // A secret key is also an unknown key (a secret value a bad template); say only the useful thing about it.
  issues = [...secretIssues, ...issues.filter((issue) => !secretFields.has(issue.field))];
  if (issues.length > 0 || !parsed.success) return { ok: false, issues: sortIssues(issues) };
  return { ok: true, loaded: { file, baseDir: dirname(path), campaign: parsed.data }, locate };
}

/**
 * Loads one campaign file.
 * @throws ConfigError with every problem of the file (file, line, field, what was expected).
 */
export async function loadCampaign(file: string, options: LoadCampaignOptions = {}): Promise<LoadedCampaign> {
  const check = await checkCampaignFile(file, options);
  if (!check.ok) throw new ConfigError(check.issues);
  return check.loaded;
}

/**
 * Loads several campaign files; campaign names must be unique across them.
 * @throws ConfigError with every problem of every file, and every duplicate name.
 */
export async function loadCampaigns(files: readonly string[], options: LoadCampaignOptions = {}): Promise<LoadedCampaign[]> {
  const checks = await Promise.all(files.map((file) => checkCampaignFile(file, options)));
  const issues = checks.flatMap((check) => (check.ok ? [] : check.issues));
  const loaded = checks.flatMap((check) => (check.ok ? [check.loaded] : []));
  issues.push(...duplicateNameIssues(loaded));
  if (issues.length > 0) throw new ConfigError(issues);
  return loaded;
}

/** An issue for each campaign whose name an earlier file already uses. */
export function duplicateNameIssues(loaded: readonly LoadedCampaign[]): InputIssue[] {
  const firstFile = new Map<string, string>();
  const issues: InputIssue[] = [];
  for (const { file, campaign } of loaded) {
    const earlier = firstFile.get(campaign.name);
    if (earlier === undefined) firstFile.set(campaign.name, file);
    else issues.push({ file, field: 'name', message: `campaign name "${campaign.name}" is already used by ${earlier}; names must be unique` });
  }
  return issues;
}

type JsonParse = { ok: true; value: unknown } | { ok: false; reason: string; offset?: number };

/** `JSON.parse`, with the error's character offset (when V8 gives one) and its reason without the offset. */
function parseJson(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const offset = /at position (\d+)/.exec(message)?.[1];
    const reason = message
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/, ".*" is not valid JSON$/s, '')
      .replace(/ after JSON at position \d+.*$/, ' after the JSON value');
    const trimmedEnd = text.trimEnd().length;
    return {
      ok: false,
      reason: reason.charAt(0).toLowerCase() + reason.slice(1),
      ...(offset !== undefined ? { offset: Number(offset) } : /end of JSON input/.test(message) ? { offset: trimmedEnd } : {}),
    };
  }
}

/** The first line of a yaml error message, without its own ` at line L, column C:` suffix. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
}

function sortIssues(issues: InputIssue[]): InputIssue[] {
  return issues
    .map((issue, order) => ({ issue, order }))
    .sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || a.order - b.order)
    .map(({ issue }) => issue);
}
