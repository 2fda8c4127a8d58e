/**
 * The registry of segment providers. The campaign schema builds its `segment` union from this
 * list; to add a provider, add its definition here (one line).
 */
import type { SegmentProviderDefinition } from './provider-definition.js';
import { localProviderDefinition } from './local-provider.js';
import { personalizeProvider } from '../personalize/personalize-provider-definition.js';

/** Every segment provider, by `segment.provider` id. */
export const segmentProviders: SegmentProviderDefinition[] = [
  localProviderDefinition,
  personalizeProvider,
];
