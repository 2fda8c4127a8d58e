/**
 * What a dry run of one destination would change, added up over its audiences: kept with the
 * destination's summary so `status` (and the dashboard) can show a queued dry run's plan instead
 * of "added 0".
 */
import { z } from 'zod';

export const dryRunPlanSchema = z.object({
  /** Members the destination would add (at most: it may still skip some at write time). */
  add: z.number().int(),
  /** Members a mirror destination would remove. */
  remove: z.number().int(),
  /** Members already in the audiences. */
  unchanged: z.number().int(),
});
/** Would-add / would-remove counts of a dry run. */
export type DryRunPlan = z.infer<typeof dryRunPlanSchema>;

const destinationReportSchema = z.object({
  segments: z.array(z.object({ sync: z.object({ plan: dryRunPlanSchema }).optional() })),
});

/** The summed plan of a destination report (the pipeline's `syncDestination` result), or undefined when it holds none. */
export function dryRunPlanOf(report: unknown): DryRunPlan | undefined {
  const parsed = destinationReportSchema.safeParse(report);
  if (!parsed.success) return undefined;
  return sumDryRunPlans(parsed.data.segments.flatMap((segment) => (segment.sync ? [segment.sync.plan] : [])));
}

/** Field-by-field sum of plans. */
export function sumDryRunPlans(plans: Iterable<DryRunPlan>): DryRunPlan {
  const total = { add: 0, remove: 0, unchanged: 0 };
  for (const plan of plans) {
    total.add += plan.add;
    total.remove += plan.remove;
    total.unchanged += plan.unchanged;
  }
  return total;
}
