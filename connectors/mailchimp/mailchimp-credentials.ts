/**
 * The Mailchimp API key from the environment. Format `<32 hex>-<dc>`: the suffix is the data
 * centre, i.e. the API host `https://<dc>.api.mailchimp.com/3.0` (Mailchimp Marketing API,
 * "Quick start": "the data center … is the last part of your API key").
 */
import { ConfigError } from '../../src/core/errors.js';

export interface MailchimpCredentials {
  apiKey: string;
  /** Data centre, e.g. `us21` (the SDK's `server`). */
  server: string;
  /** API base URL, without a trailing slash. */
  baseUrl: string;
}

const KEY_PATTERN = /^[0-9a-zA-Z]+-([a-z]+[0-9]+)$/;

/**
 * Reads `MAILCHIMP_API_KEY` (and `MAILCHIMP_BASE_URL` unless `baseUrl` is given).
 * @throws ConfigError when the key is missing or has no data-centre suffix; the key is never quoted.
 */
export function readMailchimpCredentials(env: NodeJS.ProcessEnv, baseUrl?: string): MailchimpCredentials {
  const apiKey = env.MAILCHIMP_API_KEY?.trim();
  if (!apiKey) {
    throw new ConfigError([{ field: 'MAILCHIMP_API_KEY', message: 'not set: export the API key of the Mailchimp account (Account → Extras → API keys)' }]);
  }
  const server = KEY_PATTERN.exec(apiKey)?.[1];
  if (!server) {
    throw new ConfigError([
      { field: 'MAILCHIMP_API_KEY', message: 'expected a key ending in its data centre, like "…-us21"; copy the whole key from Mailchimp' },
    ]);
  }
  const base = baseUrl ?? env.MAILCHIMP_BASE_URL?.trim() ?? `https://${server}.api.mailchimp.com/3.0`;
  return { apiKey, server, baseUrl: base.replace(/\/+$/, '') };
}
