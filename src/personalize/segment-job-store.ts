/**
 * Keeps {@link SegmentJobState}s as small JSON files, one per run and part:
 * `<stateDir>/<run stem>/part-<N>.json`. Writes go to a temporary file that is renamed over the
 * old one, so a crash never leaves half a file.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../core/errors.js';
import { runNameStem } from './job-name.js';
import { segmentJobStateSchema, type SegmentJobState } from './segment-job-state.js';

export class SegmentJobStore {
  constructor(
    /** Directory of the provider's state (`ProviderContext.stateDir`). */
    readonly stateDir: string,
  ) {}

  /** Path of the state file of a run's part. */
  pathOf(runId: string, part: number): string {
    return join(this.stateDir, runNameStem(runId), `part-${part}.json`);
  }

  /**
   * The recorded state, or undefined when this part was never started.
   * @throws DataError when the file exists but is not a state file.
   */
  async load(runId: string, part: number): Promise<SegmentJobState | undefined> {
    const file = this.pathOf(runId, part);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new DataError([{ file, message: 'not valid JSON; delete it to start this Personalize job again' }]);
    }
    const parsed = segmentJobStateSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DataError([{ file, field: issue?.path.join('.') || undefined, message: `not a batch segment job state (${issue?.message ?? 'invalid'})` }]);
    }
    return parsed.data;
  }

  /** Records `state` atomically. */
  async save(state: SegmentJobState): Promise<void> {
    const file = this.pathOf(state.runId, state.part);
    await mkdir(join(file, '..'), { recursive: true });
    const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, 'utf8');
    await rename(temporary, file);
  }
}
