/**
 * How a segment provider plugs in: a definition with the zod schema of the campaign's `segment`
 * block and a factory. The registry (`src/segments/providers.ts`) lists them; the campaign schema
 * is built from it, so adding a provider never changes the core.
 */
import type { z } from 'zod';
import type { Logger } from '../core/logger.js';
import type { SegmentProvider } from './segment-provider.js';
import type { Datasets } from '../datasets/datasets.js';

/** What every provider gets. */
export interface ProviderContext {
  /** Loads the campaign's datasets once, on first call (interactions, items, users). */
  datasets: () => Promise<Datasets>;
  /** The process environment (AWS credentials come from the standard AWS chain, not from here). */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Directory of the campaign file; relative paths resolve against it. */
  baseDir: string;
  /** Directory for state that must survive a crash (e.g. a Personalize job in flight). */
  stateDir: string;
}

export interface SegmentProviderDefinition<Config extends { provider: string; numResults: number } = { provider: string; numResults: number }> {
  /** Value of `segment.provider` in campaign files. */
  readonly id: string;
  /** zod schema of the whole `segment` block, including `provider` and `numResults`. */
  readonly configSchema: z.ZodType<Config>;
  create(config: Config, context: ProviderContext): SegmentProvider;
}
