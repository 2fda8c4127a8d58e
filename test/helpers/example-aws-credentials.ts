/**
 * Gives the AWS SDK's standard credential chain fixed example keys for the whole test file, with
 * no endpoint or profile from the developer's shell, and restores `process.env` afterwards.
 */
import { afterAll, beforeAll } from 'vitest';

export function useExampleAwsCredentials(): void {
  const savedEnv = { ...process.env };
  beforeAll(() => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    for (const name of ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_PERSONALIZE', 'AWS_PROFILE']) delete process.env[name];
  });
  afterAll(() => {
    process.env = savedEnv;
  });
}
