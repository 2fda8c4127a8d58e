/**
 * The outcomes of one destination as its report counts them (the rows `runs show` prints), for
 * `status` and the run's summary.
 *
 * Why not the chunk checkpoints alone: with a snapshot, members the audience already holds are not
 * sent, so no chunk carries them; the report counts them as "already in". The checkpoints are
 * the better count only when chunks were skipped because an earlier attempt of the run applied
 * them (no snapshot: `chunksResumed`), since the report leaves those out.
 */
import { z } from 'zod';
import { emptyOutcomeCounts, sumOutcomeCounts, type OutcomeCounts } from './job-data.js';

const countsSchema = z.object({ added: z.number(), alreadyMember: z.number(), removed: z.number(), skipped: z.number(), failed: z.number() });
const destinationReportSchema = z.object({
  segments: z.array(z.object({ sync: z.object({ outcomes: countsSchema, chunksResumed: z.number().optional() }).optional() })),
  retired: z.array(z.object({ removed: z.number(), dryRun: z.boolean().optional() })).optional(),
});

/**
 * A destination's outcomes: its report's per-audience outcomes plus members removed from retired
 * audiences, or `checkpoints` (plus those removals) when the report is not one or left out resumed
 * chunks.
 * @param report - the pipeline's `syncDestination` result (a `DestinationReport`).
 * @param checkpoints - outcomes summed from the destination's chunk checkpoints in Redis.
 */
export function destinationOutcomes(report: unknown, checkpoints: OutcomeCounts): OutcomeCounts {
  const parsed = destinationReportSchema.safeParse(report);
  if (!parsed.success) return checkpoints;
  const retiredRemoved = (parsed.data.retired ?? []).reduce((sum, retired) => sum + (retired.dryRun ? 0 : retired.removed), 0);
  const syncs = parsed.data.segments.flatMap((segment) => (segment.sync ? [segment.sync] : []));
  const resumed = syncs.some((sync) => (sync.chunksResumed ?? 0) > 0);
  const base = resumed ? checkpoints : sumOutcomeCounts(syncs.map((sync) => sync.outcomes));
  return sumOutcomeCounts([base, { ...emptyOutcomeCounts(), removed: retiredRemoved }]);
}
