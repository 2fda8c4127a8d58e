/**
 * Last line of defence for text that leaves the process (alert webhooks): removes anything that
 * looks like an email address, and the values of the environment's credentials, should a message
 * ever quote one.
 */

/** Environment variables whose values are secrets (connector keys, AWS, the webhook itself). */
const SECRET_VARIABLES = [
  'MAILCHIMP_API_KEY',
  'HUBSPOT_ACCESS_TOKEN',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_ACCESS_KEY_ID',
  'AFFINITY_ALERT_WEBHOOK_URL',
  'AFFINITY_STATE_URL',
  'AFFINITY_DASHBOARD_PASSWORD',
  'REDIS_URL',
];

const EMAIL = /[^\s@<>()[\]"',;:]+@[^\s@<>()[\]"',;:]+\.[A-Za-z]{2,}/g;
/** Credential formats, whatever variable held them (as in src/campaign/secret-keys.ts). */
const KEY_FORMATS = [/\b[0-9a-f]{32}-us\d{1,2}\b/g, /\bpat-[a-z]{2}\d-[0-9a-f-]{36}\b/g, /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g];

/** `text` with email addresses replaced by `[email]` and credentials by `[secret]`. */
export function scrubSecrets(text: string, env: NodeJS.ProcessEnv = {}): string {
  let scrubbed = text;
  for (const name of SECRET_VARIABLES) {
    const value = env[name]?.trim();
    if (value && value.length >= 8) scrubbed = scrubbed.split(value).join('[secret]');
  }
  for (const format of KEY_FORMATS) scrubbed = scrubbed.replace(format, '[secret]');
  return scrubbed.replace(EMAIL, '[email]');
}
