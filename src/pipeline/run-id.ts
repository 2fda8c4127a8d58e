/** A run id: `<campaign>-<UTC time to the second>`, e.g. `shoes-20241216T020151Z`. Sortable, file-name safe. */
export function makeRunId(campaign: string, at: Date = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `${campaign}-${stamp}`;
}

/** What {@link newRunId} needs of the state store. */
export interface RunIdLookup {
  getRun(runId: string): Promise<unknown>;
}

/**
 * The id of a new run: {@link makeRunId}, with `-2`, `-3`, … appended when the store already holds
 * a run of that id (two runs of one campaign started within the same second would otherwise share
 * one history row: a recorded run id is what `--run-id` resumes).
 */
export async function newRunId(store: RunIdLookup | undefined, campaign: string, at: Date = new Date()): Promise<string> {
  const base = makeRunId(campaign, at);
  if (!store) return base;
  for (let attempt = 1; ; attempt += 1) {
    const candidate = attempt === 1 ? base : `${base}-${attempt}`;
    if ((await store.getRun(candidate)) === undefined) return candidate;
  }
}
