/**
 * HubSpot API limits the connector honours, each with its source.
 */
import type { ConnectorLimits } from '../../src/sync/destination-connector.js';

/**
 * Most inputs of one contacts batch call (read, upsert).
 * https://developers.hubspot.com/docs/guides/api/crm/objects/contacts ("Batch … up to 100 records")
 */
export const CONTACTS_PER_BATCH_CALL = 100;

/**
 * Most record ids of one `memberships/add-and-remove` call (adds + removes). HubSpot publishes no cap;
 * 1,000 keeps the request small. https://developers.hubspot.com/docs/guides/api/crm/lists/overview
 */
export const RECORD_IDS_PER_MEMBERSHIP_CALL = 1000;

/**
 * Most memberships per `GET /crm/v3/lists/{listId}/memberships` page.
 * https://developers.hubspot.com/docs/api-reference/crm-lists-v3/memberships/get-crm-v3-lists-listId-memberships
 */
export const MEMBERSHIPS_PER_PAGE = 250;

/** Length of HubSpot's `TEN_SECONDLY_ROLLING` window, in milliseconds (usage-details page below). */
export const RATE_LIMIT_WINDOW_MS = 10_000;

/**
 * Give up waiting for one HTTP answer after this many milliseconds (the SDK 13 has no timeout); the
 * sync engine retries the chunk as a TransientError.
 */
export const REQUEST_TIMEOUT_MS = 60_000;

/** Limits the sync engine applies to `apply` calls. */
export const hubSpotLimits: ConnectorLimits = {
  /**
   * Records per `apply`: one `add-and-remove` call of at most 1,000 ids, resolved by ≤ 10 batch reads
   * of 100 emails. https://developers.hubspot.com/docs/guides/api/crm/lists/overview
   */
  batchSize: RECORD_IDS_PER_MEMBERSHIP_CALL,
  /**
   * `apply` calls in flight per destination: enough to keep the request budget busy at ~300 ms per call;
   * the SDK's own limiter default is 6 concurrent requests.
   * https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details
   */
  concurrency: 4,
  // No `requestsPerInterval`: one `apply` makes several HTTP requests, so the connector budgets each
  // request itself, per token across sessions and, in the queue, across workers (see hubspot-portal.ts).
};
