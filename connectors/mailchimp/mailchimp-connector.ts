/**
 * The `mailchimp` destination: each segment becomes a tag (a static segment) in one Mailchimp
 * audience. Endpoints and rules: reference/destinations.md §A (Marketing API 3.0).
 */
import type { DestinationConnector } from '../../src/sync/destination-connector.js';
import { mailchimpApiFor, type MailchimpApiOptions } from './mailchimp-client.js';
import { mailchimpConfigSchema, type MailchimpConfig } from './mailchimp-config.js';
import { readMailchimpCredentials } from './mailchimp-credentials.js';
import { MailchimpSession } from './mailchimp-session.js';

/** Makes the connector; tests and benchmarks pass shorter waits or another connection budget. */
export function createMailchimpConnector(apiOptions: MailchimpApiOptions = {}): DestinationConnector<MailchimpConfig> {
  return {
    id: 'mailchimp',
    configSchema: mailchimpConfigSchema,
    limits: {
      // `members_to_add` / `members_to_remove` take at most 500 emails (Marketing API, "Batch add or remove members from static segment").
      batchSize: 500,
      // 10 simultaneous connections per account (Marketing API, "Fundamentals: API limits"); one spare.
      concurrency: apiOptions.connections ?? 9,
      // Mailchimp publishes no per-minute quota: the connection cap is the limit.
    },
    capabilities: { modes: ['additive', 'mirror'], resumable: true },
    modeOf: (config) => config.mode,
    audienceNameOf: (config) => config.tag,
    maxRemovalShareOf: (config) => config.maxRemovalShare,
    fullResyncEveryOf: (config) => config.fullResyncEvery,
    retirePolicyOf: (config) => config.retire,
    open(config, context) {
      // A key without a data centre fails here, before any request.
      const credentials = readMailchimpCredentials(context.env, config.baseUrl);
      // A queue worker's budgets (Redis) make the account's connection limit hold across workers;
      // the in-process `run` keeps it per process.
      const budgets = context.rateBudgets?.kind === 'redis' ? context.rateBudgets : undefined;
      return new MailchimpSession(mailchimpApiFor(credentials, apiOptions, budgets), config, context);
    },
  };
}

/** The registered connector. */
export const mailchimpConnector = createMailchimpConnector();
