/**
 * The Personalize and S3 clients of one provider, with endpoints resolved the standard AWS way
 * ("Service-specific endpoints", AWS SDKs and Tools reference guide): config first, then
 * `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`, unless
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`. The SDK reads these variables itself from
 * `process.env`; we read them from the provider's environment so in-process runs with their own
 * environment behave the same, and so that S3 gets path-style addressing on a custom endpoint
 * (virtual-host addressing would ask DNS for `<bucket>.localhost`).
 */
import { PersonalizeClient } from '@aws-sdk/client-personalize';
import { S3Client } from '@aws-sdk/client-s3';
import { parseArn } from './arn.js';
import type { PersonalizeConfig } from './personalize-config.js';

/** Clients of one provider and the region they call. */
export interface PersonalizeClients {
  personalize: PersonalizeClient;
  s3: S3Client;
  /** Region of the calls, or undefined when the SDK resolves it from the standard chain. */
  region: string | undefined;
}

/** The endpoint of `service` from config and environment, or undefined for the AWS default. */
export function resolveEndpoint(
  service: 'personalize' | 's3',
  config: Pick<PersonalizeConfig, 'endpoint'>,
  env: NodeJS.ProcessEnv,
): string | undefined {
  const configured = config.endpoint?.[service];
  if (configured) return configured;
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  const specific = env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`];
  return specific || env.AWS_ENDPOINT_URL || undefined;
}

/** Creates both clients; credentials come from the SDK's default provider chain only. */
export function createPersonalizeClients(
  config: Pick<PersonalizeConfig, 'endpoint' | 'region' | 'solutionVersionArn'>,
  env: NodeJS.ProcessEnv,
): PersonalizeClients {
  const region = config.region ?? (parseArn(config.solutionVersionArn)?.region || undefined);
  const s3Endpoint = resolveEndpoint('s3', config, env);
  return {
    region,
    personalize: createPersonalizeClient(region, config, env),
    s3: new S3Client({
      ...(region ? { region } : {}),
      ...(s3Endpoint ? { endpoint: s3Endpoint, forcePathStyle: true } : {}),
    }),
  };
}

/** A Personalize client for `region` (undefined: the standard chain), endpoint resolved as above. */
export function createPersonalizeClient(
  region: string | undefined,
  config: Pick<PersonalizeConfig, 'endpoint'>,
  env: NodeJS.ProcessEnv,
): PersonalizeClient {
  quietNodeVersionNotice();
  const endpoint = resolveEndpoint('personalize', config, env);
  return new PersonalizeClient({ ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}) });
}

function quietNodeVersionNotice(): void {
  // Node 20 is this project's engine; the SDK's notice about a future Node 22 requirement would
  // otherwise print on every CLI run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
