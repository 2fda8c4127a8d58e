/**
 * Turns AWS SDK errors of Personalize and S3 calls into the closed set of src/core/errors.ts,
 * naming the IAM permission behind an access-denied answer.
 *
 * Error codes: Personalize API reference ("Common errors" and each operation's errors, see
 * `../shared/reference/personalize.md` §4) and Amazon S3 API reference, "Error responses".
 */
import { AuthError, ConfigError, PermanentError, RateLimitedError, TransientError, type AffinitySyncError } from '../core/errors.js';

/** The remote call that failed. */
export interface AwsCall {
  service: 'personalize' | 's3';
  /** SDK operation name, e.g. `CreateBatchSegmentJob`, `PutObject`, `ListObjectsV2`. */
  operation: string;
  /** What the call was about (an ARN or an `s3://` URL), for the message. */
  resource?: string;
}

/** The IAM action an operation needs (ListObjectsV2 is authorised by `s3:ListBucket`). */
export function iamActionOf(call: AwsCall): string {
  if (call.service === 's3') return call.operation === 'ListObjectsV2' ? 's3:ListBucket' : `s3:${call.operation}`;
  return `personalize:${call.operation}`;
}

const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'AllAccessDisabled', 'AuthorizationError']);
const BAD_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'ExpiredToken',
  'ExpiredTokenException',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'CredentialsProviderError',
]);
const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'LimitExceededException', 'SlowDown', 'TooManyRequestsException', 'RequestLimitExceeded']);
const NETWORK = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'NetworkingError']);

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** The error name the SDK gave (`ResourceNotFoundException`, `AccessDenied`, `ECONNREFUSED`…). */
export function awsErrorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const { name, code } = error as SdkErrorLike;
  return code && NETWORK.has(code) ? code : (name ?? code ?? '');
}

const DENIED_ACTION = /not authorized to perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)/;

/**
 * Maps an SDK error to an affinity-sync error.
 * @param retryAfterMs wait suggested for throttling answers, in milliseconds.
 */
export function translateAwsError(error: unknown, call: AwsCall, retryAfterMs = 5_000): AffinitySyncError {
  const name = awsErrorName(error);
  const sdk = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorLike;
  const detail = sdk.message ? `: ${sdk.message}` : '';
  const what = `${call.service === 'personalize' ? 'Personalize' : 'S3'} ${call.operation}${call.resource ? ` (${call.resource})` : ''}`;
  const status = sdk.$metadata?.httpStatusCode;

  if (ACCESS_DENIED.has(name) || (call.service === 's3' && status === 403 && !BAD_CREDENTIALS.has(name))) {
    const action = DENIED_ACTION.exec(sdk.message ?? '')?.[1] ?? iamActionOf(call);
    const onRole = call.operation === 'CreateBatchSegmentJob' && action === 'iam:PassRole' ? ' on segment.roleArn' : '';
    return new AuthError(
      `access denied to ${what}: the AWS identity running affinity-sync needs the IAM permission "${action}"${onRole}${call.resource ? ` on ${call.resource}` : ''}${detail}`,
      { cause: error },
    );
  }
  if (BAD_CREDENTIALS.has(name)) {
    return new AuthError(
      `${what} was refused, the AWS credentials are missing, invalid or expired (${name}${detail}); they come from the standard AWS chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO or an instance role`,
      { cause: error },
    );
  }
  if (THROTTLED.has(name)) return new RateLimitedError(`${what} was throttled (${name}${detail})`, retryAfterMs, { cause: error });
  if (name === 'NoSuchBucket') {
    return new ConfigError([{ field: 'segment.s3.bucket', message: `bucket does not exist or is in another account (${what})` }], { cause: error });
  }
  if (name === 'ResourceInUseException') {
    return new TransientError(`${what}: a resource it needs is not ready yet (${name}${detail})`, { cause: error });
  }
  if (NETWORK.has(name) || sdk.$fault === 'server' || (status !== undefined && status >= 500)) {
    return new TransientError(`${what} failed (${name || 'network error'}${detail})`, { cause: error });
  }
  if (name === 'ResourceNotFoundException') {
    return new PermanentError(
      `${what}: not found${detail} (check segment.solutionVersionArn and segment.filterArn: they must exist in this region and account)`,
      { cause: error },
    );
  }
  return new PermanentError(`${what} failed (${name || 'unknown error'}${detail})`, { cause: error });
}
