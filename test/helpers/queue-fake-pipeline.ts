/**
 * A pipeline for queue tests: segments made up from a small JSON "campaign", synced by the real
 * sync engine (`syncAudience`) into a fake destination that records every write in Redis, so
 * tests (and worker child processes) can count writes and read the audience back.
 */
import { readFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { PermanentError, RateLimitedError, TransientError } from '../../src/core/errors.js';
import type { AudienceMember } from '../../src/identity/identity-resolver.js';
import type { CampaignRunPipeline } from '../../src/queue/campaign-run-pipeline.js';
import type { DestinationConnector, RecordOutcome } from '../../src/sync/destination-connector.js';
import { syncAudience } from '../../src/sync/sync-audience.js';

const fakeCampaignSchema = z.object({
  name: z.string(),
  /** Members of the one segment: `member-<n>@example.com`, rank n + 1. */
  members: z.number().int(),
  destinations: z.array(
    z.object({
      connector: z.literal('recorder'),
      batchSize: z.number().int().default(10),
      /** Time each `apply` takes before it writes, in milliseconds. */
      applyDelayMs: z.number().int().default(0),
    }),
  ),
  /** The segment step answers "not done yet" this many times (a Personalize job in flight). */
  segmentChecks: z.number().int().default(0),
  segmentWaitMs: z.number().int().default(50),
  /** Errors thrown by a destination's sync before the engine starts, the first `times` calls. */
  syncFailures: z
    .array(
      z.object({
        destinationIndex: z.number().int(),
        kind: z.enum(['transient', 'rateLimited', 'permanent']),
        times: z.number().int(),
        retryAfterMs: z.number().int().default(100),
      }),
    )
    .default([]),
});
export type FakeCampaignInput = z.input<typeof fakeCampaignSchema>;
export type FakeCampaign = z.infer<typeof fakeCampaignSchema>;
export interface LoadedFakeCampaign {
  file: string;
  campaign: FakeCampaign;
}
export interface FakeSegments {
  runId: string;
  members: AudienceMember[];
}

export const fakeMemberEmail = (index: number): string => `member-${index}@example.com`;

/** Redis keys the fake destination writes. */
export function recorderKeys(prefix: string, destinationIndex: number) {
  return {
    /** SET: the audience. */
    audience: `${prefix}:fake:audience:${destinationIndex}`,
    /** LIST: one JSON `{ pid, emails }` per `apply` call. */
    writes: `${prefix}:fake:writes:${destinationIndex}`,
    /** Calls of the destination's sync (for injected failures). */
    calls: `${prefix}:fake:calls:${destinationIndex}`,
  };
}

/** One recorded `apply` call. */
export interface RecordedWrite {
  pid: number;
  emails: string[];
}

export async function readRecordedWrites(redis: Redis, prefix: string, destinationIndex: number): Promise<RecordedWrite[]> {
  const rows = await redis.lrange(recorderKeys(prefix, destinationIndex).writes, 0, -1);
  return rows.map((row) => JSON.parse(row) as RecordedWrite);
}

function recorderConnector(redis: Redis, prefix: string, destinationIndex: number, batchSize: number, applyDelayMs: number): DestinationConnector {
  const keys = recorderKeys(prefix, destinationIndex);
  return {
    id: 'recorder',
    configSchema: z.object({ connector: z.string() }),
    limits: { batchSize, concurrency: 1 },
    capabilities: { modes: ['additive'], resumable: true },
    modeOf: () => 'additive',
    audienceNameOf: () => 'recorded',
    open: () => ({
      testConnection: () => Promise.resolve('recorder'),
      ensureAudience: (spec) => Promise.resolve({ id: `audience-${destinationIndex}`, name: spec.name, created: false }),
      async apply(_audience, batch) {
        if (applyDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, applyDelayMs));
        const emails = batch.add.map((member) => member.email);
        const answers = await Promise.all(emails.map((email) => redis.sadd(keys.audience, email)));
        await redis.rpush(keys.writes, JSON.stringify({ pid: process.pid, emails } satisfies RecordedWrite));
        return emails.map((email, index): RecordOutcome => ({ email, kind: answers[index] === 1 ? 'added' : 'alreadyMember' }));
      },
    }),
  };
}

/**
 * The fake pipeline. `prefix` names the fake destination's keys (use the test's queue prefix, so
 * cleanup deletes them too).
 */
export function createFakePipeline(redis: Redis, prefix: string): CampaignRunPipeline<LoadedFakeCampaign, FakeSegments> {
  return {
    async loadCampaign(file) {
      return { file, campaign: fakeCampaignSchema.parse(JSON.parse(await readFile(file, 'utf8'))) };
    },
    generateSegments(loaded, ctx, state) {
      const checks = typeof state === 'number' ? state : 0;
      if (checks < loaded.campaign.segmentChecks) {
        return Promise.resolve({ done: false, state: checks + 1, waitMs: loaded.campaign.segmentWaitMs });
      }
      const members = Array.from({ length: loaded.campaign.members }, (_, index) => ({ email: fakeMemberEmail(index), userIds: [String(index)], rank: index + 1 }));
      return Promise.resolve({ done: true, segments: { runId: ctx.runId ?? '', members }, summary: { segments: 1, members: members.length } });
    },
    parseSegments(json) {
      return json as FakeSegments;
    },
    async syncDestination(loaded, segments, destinationIndex, ctx, progressFor) {
      const destination = loaded.campaign.destinations[destinationIndex];
      if (!destination) throw new PermanentError(`no destination ${destinationIndex}`);
      const call = await redis.incr(recorderKeys(prefix, destinationIndex).calls);
      for (const failure of loaded.campaign.syncFailures) {
        if (failure.destinationIndex !== destinationIndex || call > failure.times) continue;
        if (failure.kind === 'transient') throw new TransientError('fake: connection reset');
        if (failure.kind === 'rateLimited') throw new RateLimitedError('fake: too many requests', failure.retryAfterMs);
        throw new PermanentError('fake: the list was deleted');
      }
      const connector = recorderConnector(redis, prefix, destinationIndex, destination.batchSize, destination.applyDelayMs);
      return syncAudience({
        connector,
        config: destination,
        session: connector.open(destination, { env: ctx.env, logger: ctx.logger, baseDir: ctx.cwd }),
        spec: { name: 'recorded', campaign: loaded.campaign.name, query: 'all', runId: segments.runId },
        members: segments.members,
        dryRun: ctx.dryRun,
        progress: progressFor(0),
        logger: ctx.logger,
      });
    },
  };
}
