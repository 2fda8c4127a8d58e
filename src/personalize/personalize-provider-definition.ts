/**
 * Registry entry of the `personalize` segment provider (see src/segments/providers.ts).
 */
import { ConfigError } from '../core/errors.js';
import type { SegmentProviderDefinition } from '../segments/provider-definition.js';
import { personalizeConfigSchema, type PersonalizeConfig } from './personalize-config.js';
import { PersonalizeSegmentProvider } from './personalize-segment-provider.js';

/** `segment.provider: personalize`: segments from Amazon Personalize batch segment jobs. */
export const personalizeProvider: SegmentProviderDefinition<PersonalizeConfig> = {
  id: 'personalize',
  configSchema: personalizeConfigSchema,
  create(config, context) {
    // Checked again here so that a config built in code is held to the same rules, before any call.
    const parsed = personalizeConfigSchema.safeParse(config);
    if (!parsed.success) {
      throw new ConfigError(
        parsed.error.issues.map((issue) => ({ field: ['segment', ...issue.path.map(String)].join('.'), message: issue.message })),
      );
    }
    return new PersonalizeSegmentProvider(parsed.data, context);
  },
};
