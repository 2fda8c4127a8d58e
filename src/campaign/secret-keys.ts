/**
 * Secrets never live in campaign files: they would end up in git, in job data and in logs.
 * This finds keys that look like secrets (and values in a known credential format) anywhere in a
 * parsed campaign and says which environment variable holds that secret instead.
 */
/** Key names (lower-cased, without `_`/`-`) that hold secrets. */
const SECRET_KEYS = new Set([
  'apikey', 'apitoken', 'token', 'accesstoken', 'refreshtoken', 'bearertoken', 'sessiontoken',
  'password', 'passwd', 'secret', 'clientsecret', 'secretkey', 'privatekey', 'credentials',
  'accesskeyid', 'secretaccesskey', 'awsaccesskeyid', 'awssecretaccesskey', 'awssessiontoken', 'authorization',
]);
const SECRET_SUFFIXES = ['apikey', 'token', 'password', 'secret', 'secretaccesskey', 'privatekey'];

/** Environment variable of each connector's credential (see the connector's README). */
export const CONNECTOR_SECRET_ENV: Readonly<Record<string, string>> = {
  mailchimp: 'MAILCHIMP_API_KEY',
  hubspot: 'HUBSPOT_ACCESS_TOKEN',
};

/** Values that are credentials whatever key holds them, with the environment variable to use instead. */
const SECRET_VALUES: Array<{ pattern: RegExp; what: string; env: string }> = [
  { pattern: /^[0-9a-f]{32}-us\d{1,2}$/, what: 'a Mailchimp API key', env: 'MAILCHIMP_API_KEY' },
  { pattern: /^pat-[a-z]{2}\d-[0-9a-f-]{36}$/, what: 'a HubSpot private app access token', env: 'HUBSPOT_ACCESS_TOKEN' },
  { pattern: /^(AKIA|ASIA)[0-9A-Z]{16}$/, what: 'an AWS access key id', env: 'the standard AWS chain' },
];

const AWS_ADVICE =
  'AWS credentials come from the standard AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO or an instance role)';

/** True for a key name such as `apiKey`, `access_token`, `hubspotToken`, `password`. */
function isSecretKey(key: string): boolean {
  const normalised = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_KEYS.has(normalised) || SECRET_SUFFIXES.some((suffix) => normalised.endsWith(suffix));
}

/** A secret-looking key: its path in the campaign and what to do instead. */
export interface SecretKeyFinding {
  path: PropertyKey[];
  message: string;
}

/** Every secret-looking key anywhere in `value` (objects and lists, at any depth). */
export function findSecretKeys(value: unknown): SecretKeyFinding[] {
  const issues: SecretKeyFinding[] = [];
  const visit = (node: unknown, path: PropertyKey[], connector: string | undefined): void => {
    if (Array.isArray(node)) {
      node.forEach((child, index) => visit(child, [...path, index], connector));
      return;
    }
    if (typeof node === 'string') {
      const known = SECRET_VALUES.find(({ pattern }) => pattern.test(node.trim()));
      if (known) {
        issues.push({
          path,
          message: `this looks like ${known.what}; secrets are not allowed in campaign files: remove it and use ${known.env.startsWith('the ') ? known.env : `the environment variable ${known.env}`}`,
        });
      }
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const own = typeof record.connector === 'string' ? record.connector : typeof record.provider === 'string' ? record.provider : connector;
    for (const [key, child] of Object.entries(record)) {
      if (isSecretKey(key)) {
        issues.push({ path: [...path, key], message: `secrets are not allowed in campaign files; ${advice(key, own)}` });
      } else {
        visit(child, [...path, key], own);
      }
    }
  };
  visit(value, [], undefined);
  return issues;
}

function advice(key: string, owner: string | undefined): string {
  const env = owner ? CONNECTOR_SECRET_ENV[owner] : undefined;
  if (env) return `remove it and set the environment variable ${env}`;
  if (owner === 'personalize' || /aws|accesskey/i.test(key)) return `remove it: ${AWS_ADVICE}`;
  return `remove it and provide the secret through the environment (${Object.values(CONNECTOR_SECRET_ENV).join(', ')}; ${AWS_ADVICE})`;
}
