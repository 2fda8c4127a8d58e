/**
 * Maps a rejected Mailchimp call (a superagent error) to our error classes. Mailchimp answers
 * errors as RFC 7807 problem details (`{type, title, status, detail, instance}`, Marketing API
 * "Errors" glossary); we classify on `status` + `title`, never on `detail`, and never quote
 * `detail` (it may hold an email address).
 */
import {
  AffinitySyncError,
  AuthError,
  PermanentError,
  RateLimitedError,
  TransientError,
} from '../../src/core/errors.js';
import { describeNetworkFailure, networkFailureOf } from '../../src/core/network-failure.js';

/** The problem details of an error answer, when there is one. */
export interface MailchimpProblem {
  status: number;
  title: string;
  /** The problem's `detail`, for classification only: it may hold an email address, so never quote or log it. */
  detail: string;
}

interface SuperagentError {
  status?: number;
  code?: string;
  timeout?: number;
  response?: { body?: unknown; text?: string; headers?: Record<string, string | undefined> };
}

/** Status and title of a Mailchimp error answer; undefined for network errors. */
export function problemOf(error: unknown): MailchimpProblem | undefined {
  const { status, response } = (error ?? {}) as SuperagentError;
  if (typeof status !== 'number') return undefined;
  let body = response?.body;
  if ((body === undefined || (typeof body === 'object' && body !== null && Object.keys(body).length === 0)) && response?.text) {
    try {
      body = JSON.parse(response.text);
    } catch {
      body = undefined;
    }
  }
  const field = (name: 'title' | 'detail'): string => {
    const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
    return typeof value === 'string' ? value : '';
  };
  return { status, title: field('title'), detail: field('detail') };
}

/** Wait before retrying a 429: `Retry-After` when Mailchimp sends it (undocumented), else `fallbackMs`. */
function retryAfterMs(error: unknown, fallbackMs: number): number {
  const header = (error as SuperagentError).response?.headers?.['retry-after'];
  const seconds = header === undefined ? Number.NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : fallbackMs;
}

/**
 * Our error for a failed call. `operation` names the call for the message (`create tag`).
 * 429 → RateLimitedError; 5xx and network failures (unreachable, timeout, DNS, reset) →
 * TransientError; only 401/403 → AuthError; other 4xx → PermanentError.
 */
export function toMailchimpError(error: unknown, operation: string, options: { rateLimitWaitMs: number }): AffinitySyncError {
  if (error instanceof AffinitySyncError) return error;
  const problem = problemOf(error);
  if (!problem) {
    // Unreachable, timed out or a failed DNS lookup: the network, never the key (exit 1, retried).
    const failure = networkFailureOf(error);
    if (failure) {
      return new TransientError(`Mailchimp ${operation}: ${describeNetworkFailure('Mailchimp', failure, "if the network is fine, the data-centre suffix of MAILCHIMP_API_KEY (e.g. -us21) or the base URL is wrong")}`, { cause: error });
    }
    return new PermanentError(`Mailchimp ${operation}: unexpected failure (${error instanceof Error ? error.name : 'unknown error'})`, { cause: error });
  }
  const what = `Mailchimp ${operation}: ${problem.status}${problem.title ? ` ${problem.title}` : ''}`;
  if (problem.status === 429) return new RateLimitedError(what, retryAfterMs(error, options.rateLimitWaitMs), { cause: error });
  if (problem.status === 401 || problem.status === 403) return new AuthError(`${what} (check MAILCHIMP_API_KEY and its data-centre suffix)`, { cause: error });
  // 503 "Compliance Related": the account is under review; retrying will not help.
  if (problem.status === 503 && /compliance/i.test(problem.title)) return new PermanentError(what, { cause: error });
  if (problem.status >= 500) return new TransientError(what, { cause: error });
  return new PermanentError(what, { cause: error });
}
