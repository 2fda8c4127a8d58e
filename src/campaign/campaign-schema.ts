/**
 * The campaign file format (YAML or JSON), as a zod schema built from the provider and connector
 * registries at call time: a provider or connector added to its registry is accepted (and
 * documented in the JSON Schema) without touching this file.
 */
import { z } from 'zod';
import { destinationConnectors } from '../../connectors/index.js';
import type { DestinationConnector } from '../sync/destination-connector.js';
import type { SegmentProviderDefinition } from '../segments/provider-definition.js';
import { segmentProviders } from '../segments/providers.js';
import { alertsSchema } from '../alerts/alerts-schema.js';
import { controlsShape } from '../controls/controls-schema.js';
import { excessInventoryItemsSchema } from './excess-inventory-items-schema.js';
import { newItemsQuerySchema } from './new-items-query-schema.js';
import { scheduleSchema } from './schedule-schema.js';
import { strictBlock } from './strict-block.js';
import { usersSourceSchema } from '../identity/users-source-schema.js';

/** The `segment` block as the core sees it; its provider's schema checked the rest. */
export interface SegmentBlock {
  /** Id of a registered segment provider (`local`, `personalize`). */
  provider: string;
  /** Users per segment (Personalize `numResults`). */
  numResults: number;
  /** Item-Affinity only (local provider): leave out users who already interacted with the item. */
  excludeInteracted?: boolean;
  [key: string]: unknown;
}

/** One `destinations` entry as the core sees it; its connector's schema checked the rest. */
export interface DestinationBlock {
  /** Id of a registered destination connector (`file`, `mailchimp`, `hubspot`). */
  connector: string;
  [key: string]: unknown;
}

function registryUnion<Block>(
  key: 'provider' | 'connector',
  schemas: readonly z.ZodType[],
  kind: string,
): z.ZodType<Block> {
  if (schemas.length === 0) {
    return z.never({ error: `no ${kind} is registered` });
  }
  // Registry schemas are strict objects with a literal `provider`/`connector` (see the ports).
  return z.discriminatedUnion(key, schemas as unknown as [z.ZodObject, ...z.ZodObject[]]) as unknown as z.ZodType<Block>;
}

/** The `segment` union over the registered providers. */
export function segmentSchema(providers: readonly SegmentProviderDefinition[] = segmentProviders): z.ZodType<SegmentBlock> {
  return registryUnion<SegmentBlock>('provider', providers.map((definition) => definition.configSchema), 'segment provider').describe(
    `Where segments come from: provider is one of ${providers.map((definition) => definition.id).join(', ')}`,
  );
}

/** The `destinations` entry union over the registered connectors. */
export function destinationSchema(connectors: readonly DestinationConnector[] = destinationConnectors): z.ZodType<DestinationBlock> {
  return registryUnion<DestinationBlock>('connector', connectors.map((connector) => connector.configSchema), 'destination connector').describe(
    `An audience to sync segments into: connector is one of ${connectors.map((connector) => connector.id).join(', ')}`,
  );
}

const nameSchema = z
  .string()
  .max(63)
  .regex(/^[a-z0-9][a-z0-9-_]*$/, 'expected a slug: lower-case letters, digits, - and _, starting with a letter or digit')
  .describe('Unique campaign name (slug); names audiences, runs and schedules');

function commonShape(segment: z.ZodType<SegmentBlock>, destination: z.ZodType<DestinationBlock>) {
  return {
    name: nameSchema,
    description: z.string().optional().describe('Free text for people reading the file'),
    data: z
      .string()
      .min(1)
      .optional()
      .describe('Dataset directory (interactions, items, users as CSV, CSV.gz, Parquet or directories of parts), relative to this file, or an S3 location s3://bucket/prefix/ (mirrored into a local cache). CLI --data overrides. Required unless --data is given: there is no default dataset'),
    users: usersSourceSchema.optional(),
    segment,
    destinations: z.array(destination).min(1, 'expected at least one destination').describe('Where the audiences go'),
    schedule: scheduleSchema.optional(),
    alerts: alertsSchema.optional(),
    ...controlsShape,
  };
}

/** Builds the campaign schema from the given registries (default: the real ones). */
export function campaignSchema(
  providers: readonly SegmentProviderDefinition[] = segmentProviders,
  connectors: readonly DestinationConnector[] = destinationConnectors,
) {
  const common = commonShape(segmentSchema(providers), destinationSchema(connectors));
  return z
    .discriminatedUnion('type', [
      strictBlock({
        type: z.literal('excess-inventory').describe('Item-Affinity: for each item, the users most likely to buy it'),
        ...common,
        items: excessInventoryItemsSchema,
      }),
      strictBlock({
        type: z.literal('new-items').describe('Item-Attribute-Affinity: for each attribute query, the users most drawn to such items'),
        ...common,
        queries: z.array(newItemsQuerySchema).min(1, 'expected at least one query').describe('Attribute queries, one segment each'),
      }),
    ])
    .describe('An affinity-sync campaign: which segments to build and where to sync them');
}

/** A validated campaign (defaults applied). */
export type Campaign = z.infer<ReturnType<typeof campaignSchema>>;
export type ExcessInventoryCampaign = Extract<Campaign, { type: 'excess-inventory' }>;
export type NewItemsCampaign = Extract<Campaign, { type: 'new-items' }>;

/**
 * The fields every campaign type shares, with `type` free: used to report the other fields'
 * problems when `type` itself is missing or wrong.
 */
export function campaignCommonSchema(
  providers: readonly SegmentProviderDefinition[] = segmentProviders,
  connectors: readonly DestinationConnector[] = destinationConnectors,
) {
  return z.object(commonShape(segmentSchema(providers), destinationSchema(connectors)));
}
