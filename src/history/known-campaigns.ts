/**
 * The campaigns the state store knows (a run or an audience recorded), for `history <campaign>`
 * and `audiences <campaign>`: an unknown name is a typo to report, not "no runs yet".
 */
import { ConfigError } from '../core/errors.js';
import type { StateStore } from '../state/state-store.js';

/** Names of every campaign with a recorded run or audience, sorted. */
export async function knownCampaigns(store: StateStore): Promise<string[]> {
  const runs = await store.db.selectFrom('runs').select('campaign').distinct().execute();
  const audiences = await store.db.selectFrom('audiences').select('campaign').distinct().execute();
  return [...new Set([...runs, ...audiences].map((row) => row.campaign))].sort();
}

/**
 * Checks that the store knows `campaign`.
 * @throws ConfigError naming the campaign and listing the known ones (exit 2)
 */
export async function assertKnownCampaign(store: StateStore, campaign: string): Promise<void> {
  const known = await knownCampaigns(store);
  if (known.includes(campaign)) return;
  throw new ConfigError(
    `no campaign "${campaign}" in the state store (${store.location}); ${known.length > 0 ? `known campaigns: ${known.join(', ')}` : 'no run has been recorded yet'}`,
  );
}
