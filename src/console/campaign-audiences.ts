/**
 * A campaign's audiences as the console lists them: the store's (active and retired), or, for a
 * campaign the store has none of yet, the ones its last run synced.
 */
import type { LoadedCampaign } from '../campaign/load-campaign.js';
import type { ConsoleAudience, ConsoleRun } from './console-source.js';
import { summariseRun } from './run-summary.js';

/** The Mailchimp audience (list) id a destination entry writes to. */
export function containerIdOf(loaded: LoadedCampaign | undefined, destinationIndex: number): string | undefined {
  const destination = loaded?.campaign.destinations[destinationIndex];
  return destination?.connector === 'mailchimp' && typeof destination.audienceId === 'string' ? destination.audienceId : undefined;
}

export function campaignAudiences(
  campaign: string,
  stored: readonly ConsoleAudience[],
  lastSyncedRun: ConsoleRun | undefined,
  loaded: LoadedCampaign | undefined,
): ConsoleAudience[] {
  const own = stored.filter((audience) => audience.campaign === campaign);
  const withContainer = (audience: ConsoleAudience): ConsoleAudience => {
    const containerId = audience.containerId ?? containerIdOf(loaded, audience.destinationIndex);
    return containerId === undefined ? audience : { ...audience, containerId };
  };
  if (own.length > 0 || !lastSyncedRun) return own.map(withContainer);
  return summariseRun(lastSyncedRun)
    .rows.filter((row) => row.audienceName !== undefined && row.audienceId)
    .map((row) =>
      withContainer({
        key: `${row.destinationIndex}:${row.audienceId}`,
        campaign,
        connector: row.connector,
        destinationIndex: row.destinationIndex,
        name: row.audienceName ?? '',
        externalId: row.audienceId ?? '',
        status: 'active',
        members: row.members,
      }),
    );
}
