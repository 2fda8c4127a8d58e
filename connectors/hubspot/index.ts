/**
 * The `hubspot` destination connector: each segment becomes a MANUAL (static) HubSpot list of contacts.
 * Endpoints, status codes and limits: `reference/destinations.md` §B and the links in hubspot-limits.ts.
 */
import type { DestinationConnector } from '../../src/sync/destination-connector.js';
import { hubSpotConfigSchema, type HubSpotConfig } from './hubspot-config.js';
import { hubSpotLimits } from './hubspot-limits.js';
import { openHubSpotSession, type HubSpotSessionOptions } from './hubspot-session.js';

export { hubSpotConfigSchema, type HubSpotConfig } from './hubspot-config.js';
export { HUBSPOT_SKIP_REASONS, HUBSPOT_TOKEN_VARIABLE, type HubSpotSessionOptions } from './hubspot-session.js';

/** Makes the connector; tests and benchmarks against a stand-in with a shorter rate window pass it. */
export function createHubSpotConnector(options: HubSpotSessionOptions = {}): DestinationConnector<HubSpotConfig> {
  return {
    id: 'hubspot',
    configSchema: hubSpotConfigSchema,
    limits: hubSpotLimits,
    capabilities: { modes: ['additive', 'mirror'] },
    modeOf: (config) => config.mode,
    audienceNameOf: (config) => config.list,
    maxRemovalShareOf: (config) => config.maxRemovalShare,
    fullResyncEveryOf: (config) => config.fullResyncEvery,
    retirePolicyOf: (config) => config.retire,
    open: (config, context) => openHubSpotSession(config, context, options),
  };
}

/** The HubSpot connector (`connector: hubspot` in campaign files). */
export const hubspotConnector: DestinationConnector<HubSpotConfig> = createHubSpotConnector();
