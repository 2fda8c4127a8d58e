/**
 * Credentials a campaign's destinations will need from the environment, and which of them are not
 * set: a warning for `validate` (a campaign may well be validated on a machine that never runs it).
 */
import type { InputIssue } from '../core/errors.js';
import type { Campaign } from './campaign-schema.js';
import { CONNECTOR_SECRET_ENV } from './secret-keys.js';

/** One warning per destination whose credential variable is unset or blank in `env`. */
export function missingCredentialWarnings(campaign: Campaign, env: NodeJS.ProcessEnv, file?: string): InputIssue[] {
  return campaign.destinations.flatMap((destination, index) => {
    const variable = CONNECTOR_SECRET_ENV[destination.connector];
    if (variable === undefined || (env[variable] ?? '').trim() !== '') return [];
    return [
      {
        ...(file !== undefined ? { file } : {}),
        field: `destinations[${index}]`,
        message: `${variable} is not set; the run will need it for this ${destination.connector} destination`,
      },
    ];
  });
}
