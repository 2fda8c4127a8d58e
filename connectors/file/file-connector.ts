/**
 * The `file` destination: each audience becomes `<dir>/<stem>.csv` (`email,user_id,first_name,
 * last_name,rank,score,merged_user_ids`; `score` is the segment provider's affinity score to 6 significant digits,
 * empty when the provider gives none (Amazon Personalize); `user_id` is the member's best-ranked USER_ID, `merged_user_ids`
 * the other USER_IDs that share its email, joined with `|` (usually empty), so `user_id` always
 * joins back to the users dataset; RFC 4180 quoting) and `<dir>/<stem>.manifest.json`. Rows go to a temp file in the same directory,
 * renamed over the old file at `commit`, so a reader never sees half a file. Always a full snapshot.
 *
 * CSV injection (OWASP "CSV Injection"): a `first_name` or `last_name` that starts with `=`, `+`,
 * `-`, `@`, a tab or a carriage return is written with a leading single quote (`'`), so a
 * spreadsheet shows it as text instead of running it as a formula (`=cmd|calc!A1` → `'=cmd|calc!A1`).
 * Emails need no such step: the identity resolver refuses those that start with a formula character.
 */
import { createHash, randomBytes } from 'node:crypto';
import { access, constants, mkdir, open, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { ConfigError, PermanentError } from '../../src/core/errors.js';
import type {
  ApplyBatch,
  AudienceRef,
  AudienceSpec,
  AudienceSummary,
  ConnectorContext,
  ConnectorSession,
  DestinationConnector,
  RecordOutcome,
} from '../../src/sync/destination-connector.js';
import { fileConfigSchema, type FileConfig } from './file-config.js';
import { toFileStem } from './file-stem.js';

/** Header of every audience CSV. */
export const AUDIENCE_CSV_COLUMNS = ['email', 'user_id', 'first_name', 'last_name', 'rank', 'score', 'merged_user_ids'] as const;

/** First characters a spreadsheet reads as a formula (OWASP "CSV Injection"). */
const formulaStart = /^[=+\-@\t\r]/;

/**
 * A name cell that a spreadsheet cannot run: one starting with `=`, `+`, `-`, `@`, tab or carriage
 * return gets a leading `'` (OWASP's advice); any other value is returned as it is.
 */
export function neutraliseFormula(cell: string): string {
  return formulaStart.test(cell) ? `'${cell}` : cell;
}

/** The manifest written beside each audience CSV. */
export interface AudienceManifest {
  campaign: string;
  query: string;
  runId: string;
  /** Rendered audience name (before it became a file stem). */
  audience: string;
  /** CSV file name, beside the manifest. */
  file: string;
  /** Members in the file, and the outcomes of this run. */
  counts: { members: number } & AudienceSummary['outcomes'];
  /** ISO 8601 time of the commit. */
  generatedAt: string;
  /** SHA-256 (hex) of the CSV file's bytes. */
  sha256: string;
}

interface OpenAudience {
  spec: AudienceSpec;
  tempPath: string;
  handle: FileHandle;
  hash: ReturnType<typeof createHash>;
  emails: Set<string>;
}

class FileSession implements ConnectorSession {
  private readonly dir: string;
  private readonly open = new Map<string, OpenAudience>();
  /** Query each path was written for in this session: two segments must not share one file. */
  private readonly queryOfPath = new Map<string, string>();

  constructor(config: FileConfig, context: ConnectorContext) {
    this.dir = resolve(context.baseDir, config.dir);
  }

  async testConnection(): Promise<string> {
    let existing = this.dir;
    for (;;) {
      try {
        await access(existing, constants.W_OK);
        return `file: can write audiences to ${this.dir}`;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(existing) === existing) {
          throw new ConfigError([{ field: 'dir', message: `cannot write to ${existing} (${(error as NodeJS.ErrnoException).code ?? 'error'})` }]);
        }
        existing = dirname(existing);
      }
    }
  }

  async ensureAudience(spec: AudienceSpec, options: { dryRun: boolean }): Promise<AudienceRef> {
    const stem = toFileStem(spec.name);
    const path = join(this.dir, `${stem}.csv`);
    const earlierQuery = this.queryOfPath.get(path);
    if (earlierQuery !== undefined && earlierQuery !== spec.query) {
      throw new ConfigError([{ field: 'name', message: `two segments ("${earlierQuery}" and "${spec.query}") both go to ${path}; put {{query}} or {{label}} in the file destination's name template` }]);
    }
    this.queryOfPath.set(path, spec.query);
    const created = !(await exists(path));
    if (options.dryRun || this.open.has(path)) return { id: path, name: stem, created, location: path };

    await mkdir(this.dir, { recursive: true });
    const tempPath = join(this.dir, `.${stem}.csv.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(tempPath, 'wx');
    const audience: OpenAudience = { spec, tempPath, handle, hash: createHash('sha256'), emails: new Set() };
    this.open.set(path, audience);
    await this.write(audience, stringify([[...AUDIENCE_CSV_COLUMNS]]));
    return { id: path, name: stem, created, location: path };
  }

  async apply(ref: AudienceRef, batch: ApplyBatch): Promise<RecordOutcome[]> {
    const audience = this.open.get(ref.id);
    if (!audience) throw new PermanentError(`file audience ${basename(ref.id)} is not open: call ensureAudience first`);
    const outcomes: RecordOutcome[] = [];
    const rows: Array<Array<string | number>> = [];
    for (const member of batch.add) {
      if (audience.emails.has(member.email)) {
        outcomes.push({ email: member.email, kind: 'alreadyMember' });
        continue;
      }
      audience.emails.add(member.email);
      const [userId = '', ...merged] = member.userIds;
      rows.push([member.email, userId, neutraliseFormula(member.firstName ?? ''), neutraliseFormula(member.lastName ?? ''), member.rank, member.score === undefined ? '' : Number(member.score.toPrecision(6)), merged.join('|')]);
      outcomes.push({ email: member.email, kind: 'added' });
    }
    // A snapshot holds only this run's members, so a removal is done by not writing the row.
    for (const email of batch.remove) {
      outcomes.push(audience.emails.has(email) ? { email, kind: 'skipped', reason: 'inSnapshot' } : { email, kind: 'removed' });
    }
    if (rows.length > 0) await this.write(audience, stringify(rows));
    return outcomes;
  }

  async commit(ref: AudienceRef, summary: AudienceSummary): Promise<void> {
    const audience = this.open.get(ref.id);
    if (!audience) throw new PermanentError(`file audience ${basename(ref.id)} is not open: nothing to commit`);
    this.open.delete(ref.id);
    await audience.handle.sync();
    await audience.handle.close();
    const manifest: AudienceManifest = {
      campaign: summary.spec.campaign,
      query: summary.spec.query,
      runId: summary.spec.runId,
      audience: summary.spec.name,
      file: basename(ref.id),
      counts: { members: audience.emails.size, ...summary.outcomes },
      generatedAt: new Date().toISOString(),
      sha256: audience.hash.digest('hex'),
    };
    const manifestPath = ref.id.replace(/\.csv$/, '.manifest.json');
    const manifestTemp = `${audience.tempPath}.manifest`;
    try {
      await writeFile(manifestTemp, `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
      await rename(audience.tempPath, ref.id);
      await rename(manifestTemp, manifestPath);
    } catch (error) {
      await rm(audience.tempPath, { force: true });
      await rm(manifestTemp, { force: true });
      throw error;
    }
  }

  /** Deletes the CSV and its manifest (a retired audience); a file already gone is fine. */
  async deleteAudience(ref: AudienceRef): Promise<void> {
    await this.abort(ref);
    await rm(ref.id.replace(/\.csv$/, '.manifest.json'), { force: true });
    await rm(ref.id, { force: true });
  }

  async abort(ref: AudienceRef): Promise<void> {
    const audience = this.open.get(ref.id);
    if (!audience) return;
    this.open.delete(ref.id);
    await audience.handle.close();
    await rm(audience.tempPath, { force: true });
  }

  async close(): Promise<void> {
    for (const path of [...this.open.keys()]) await this.abort({ id: path, name: '', created: false });
  }

  private async write(audience: OpenAudience, text: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    audience.hash.update(bytes);
    await audience.handle.write(bytes);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes audiences as CSV files with a JSON manifest. */
export const fileConnector: DestinationConnector<FileConfig> = {
  id: 'file',
  configSchema: fileConfigSchema,
  // Local disk: no vendor limit. Appends must stay in rank order, so one chunk at a time.
  limits: { batchSize: 1000, concurrency: 1 },
  // The temp file of an interrupted run is gone on resume: redo every chunk.
  capabilities: { modes: ['mirror'], resumable: false },
  modeOf: () => 'mirror',
  audienceNameOf: (config) => config.name,
  retirePolicyOf: (config) => config.retire,
  open: (config, context) => new FileSession(config, context),
};
