import type { RunTrigger } from '../state/database.js';

/** A run id: `<campaign>-<UTC time to the second>`, e.g. `shoes-20241216T020151Z`. Sortable, file-name safe. */
export function makeRunId(campaign: string, at: Date = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `${campaign}-${stamp}`;
}

/** What {@link claimNewRunId} needs of the state store. */
export interface RunIdClaims {
  claimRunId(run: { runId: string; campaign: string; trigger: RunTrigger; dryRun: boolean; startedAt: Date }): Promise<boolean>;
}

/**
 * The id of a new run started outside the queue (`run`, `retry-failed`), claimed in the state store at once (a `running` row): {@link makeRunId},
 * with `-2`, `-3`, … appended when a run of that id is already recorded. Two runs of one campaign
 * started within the same second thus get ids of their own, so the second finds the campaign's
 * lease held by the first and is skipped, instead of taking the lease as its own.
 * `options.idPrefix` replaces the campaign name at the front of the id (`<campaign>-retry` for `retry-failed`).
 */
export async function claimNewRunId(store: RunIdClaims | undefined, campaign: string, options: { trigger: RunTrigger; dryRun: boolean; at?: Date; idPrefix?: string }): Promise<string> {
  const at = options.at ?? new Date();
  const base = makeRunId(options.idPrefix ?? campaign, at);
  if (!store) return base;
  for (let attempt = 1; ; attempt += 1) {
    const runId = attempt === 1 ? base : `${base}-${attempt}`;
    if (await store.claimRunId({ runId, campaign, trigger: options.trigger, dryRun: options.dryRun, startedAt: at })) return runId;
  }
}
