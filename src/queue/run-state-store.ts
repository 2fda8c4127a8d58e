/**
 * What a run keeps in Redis besides its jobs: its segments (the hand-over from the segment job to
 * the sync jobs, which may run on other machines) and per-chunk checkpoints of each destination.
 *
 * Keys (outside BullMQ's own `<prefix>:<queue>:*` keys):
 * - `<prefix>:run:<runId>:segments`: JSON of the run's segments;
 * - `<prefix>:run:<runId>:checkpoints:<destinationIndex>`: hash, field `<segmentIndex>.<chunkIndex>`
 *   → JSON counts of that chunk's outcomes (never emails).
 * Both expire with the failed-job retention, and are deleted when the run completes.
 */
import type { Redis } from 'ioredis';
import type { RecordOutcome } from '../sync/destination-connector.js';
import type { ChunkProgress } from '../sync/sync-audience.js';
import { emptyOutcomeCounts, sumOutcomeCounts, type OutcomeCounts } from './job-data.js';

/** Thrown by checkpoints once the worker is draining: no new chunk starts. */
export class DrainInterruptError extends Error {
  constructor() {
    super('worker is shutting down; the sync resumes on the next worker');
    this.name = 'DrainInterruptError';
  }
}

export class RunStateStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Seconds the run's keys outlive their last write. */
    private readonly ttlSeconds: number,
  ) {}

  private key(runId: string, ...parts: Array<string | number>): string {
    return [this.prefix, 'run', runId, ...parts].join(':');
  }

  async saveSegments(runId: string, segments: unknown): Promise<void> {
    await this.redis.set(this.key(runId, 'segments'), JSON.stringify(segments), 'EX', this.ttlSeconds);
  }

  /** The run's segments as JSON, or undefined when they expired or were never written. */
  async loadSegments(runId: string): Promise<unknown> {
    const text = await this.redis.get(this.key(runId, 'segments'));
    return text === null ? undefined : (JSON.parse(text) as unknown);
  }

  /**
   * Checkpoints of one segment of one destination, in the shape the sync engine asks for.
   * @param draining - once true, `isDone` refuses to start another chunk and `markDone` stops the
   *   sync right after recording the chunk in flight (both by throwing {@link DrainInterruptError}).
   */
  checkpoints(runId: string, destinationIndex: number, segmentIndex: number, draining: () => boolean): ChunkProgress {
    const key = this.key(runId, 'checkpoints', destinationIndex);
    return {
      isDone: async (chunkIndex) => {
        const done = (await this.redis.hexists(key, `${segmentIndex}.${chunkIndex}`)) === 1;
        if (!done && draining()) throw new DrainInterruptError();
        return done;
      },
      nextChunkIndex: async () => {
        const fields = await this.redis.hkeys(key);
        const indices = fields.filter((field) => field.startsWith(`${segmentIndex}.`)).map((field) => Number(field.slice(`${segmentIndex}.`.length)));
        return indices.length === 0 ? 0 : Math.max(...indices) + 1;
      },
      markDone: async (chunkIndex, outcomes) => {
        await this.redis
          .multi()
          .hset(key, `${segmentIndex}.${chunkIndex}`, JSON.stringify(countOutcomes(outcomes)))
          .expire(key, this.ttlSeconds)
          .exec();
        if (draining()) throw new DrainInterruptError();
      },
    };
  }

  /** Outcomes of every recorded chunk of one destination, and how many chunks that is. */
  async destinationTotals(runId: string, destinationIndex: number): Promise<{ outcomes: OutcomeCounts; chunks: number }> {
    const stored = await this.redis.hvals(this.key(runId, 'checkpoints', destinationIndex));
    return { outcomes: sumOutcomeCounts(stored.map((text) => JSON.parse(text) as Partial<OutcomeCounts>)), chunks: stored.length };
  }

  /** Deletes every key of a run (after it completed). */
  async deleteRun(runId: string, destinations: number): Promise<void> {
    const keys = [this.key(runId, 'segments')];
    for (let index = 0; index < destinations; index += 1) keys.push(this.key(runId, 'checkpoints', index));
    await this.redis.del(...keys);
  }
}

/** Counts of one chunk, as stored. */
function countOutcomes(outcomes: readonly RecordOutcome[]): OutcomeCounts {
  const counts = emptyOutcomeCounts();
  for (const outcome of outcomes) counts[outcome.kind] += 1;
  return counts;
}
