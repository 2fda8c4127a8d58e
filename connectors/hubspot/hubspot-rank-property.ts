/**
 * The rank contact property of a HubSpot destination (`properties: { rank: affinity_rank }`): checked
 * to exist (`GET /crm/v3/properties/contacts/{name}`) and written per contact with batch update
 * (`POST /crm/v3/objects/contacts/batch/update`, ≤ 100 inputs, by contact id), so a workflow or an
 * email can use the member's position in the segment.
 * https://developers.hubspot.com/docs/guides/api/crm/properties
 */
import { ConfigError } from '../../src/core/errors.js';
import { chunksOf } from './hubspot-contacts.js';
import { CONTACTS_PER_BATCH_CALL } from './hubspot-limits.js';
import type { HubSpotPortal } from './hubspot-portal.js';

/**
 * Checks that the contact property exists.
 * @throws ConfigError naming `properties.rank` when it does not
 */
export async function assertContactPropertyExists(portal: HubSpotPortal, name: string): Promise<void> {
  const found = await portal.call(
    'reading the contact property',
    () => portal.client.crm.properties.coreApi.getByNameWithHttpInfo('contacts', name),
    (error) => (error.code === 404 ? { value: undefined } : undefined),
  );
  if (!found) {
    throw new ConfigError([
      { field: 'properties.rank', message: `HubSpot has no contact property "${name}": create it (Settings → Properties → Contact properties, internal name ${name}, type Number) or remove properties.rank` },
    ]);
  }
}

/** Sets `name` to each contact's rank (contact id → rank), in batches of 100. */
export async function writeContactRanks(portal: HubSpotPortal, name: string, ranks: ReadonlyMap<string, number>): Promise<void> {
  for (const chunk of chunksOf([...ranks], CONTACTS_PER_BATCH_CALL)) {
    await portal.call('writing the rank property', () =>
      portal.client.crm.contacts.batchApi.updateWithHttpInfo({ inputs: chunk.map(([id, rank]) => ({ id, properties: { [name]: String(rank) } })) }),
    );
  }
}
