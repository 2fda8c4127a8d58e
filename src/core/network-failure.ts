/**
 * Tells a network failure (DNS, refused or unreachable host, timeout, cut connection) from an
 * answer of the service, so a connector can say "cannot reach" instead of blaming the API key.
 * Network failures are retryable: exit code 1 on the command line, a retried job in the queue.
 */

/** What kind of network failure an error is. */
export interface NetworkFailure {
  kind: 'dns' | 'unreachable' | 'timeout' | 'reset';
  /** The Node.js error code (`ENOTFOUND`, `ECONNREFUSED`, …), or `timeout`. */
  code: string;
  /** `host` or `host:port`, when the error names it. */
  host?: string;
}

const KINDS: Record<string, NetworkFailure['kind']> = {
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  ECONNREFUSED: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ETIMEDOUT: 'timeout',
  ESOCKETTIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  ECONNRESET: 'reset',
  ECONNABORTED: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
};

interface ErrorFields {
  code?: unknown;
  hostname?: unknown;
  address?: unknown;
  port?: unknown;
  /** superagent sets it on a timeout. */
  timeout?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** The network failure `error` (or its `cause`) is, or undefined for anything else (an HTTP answer, a bug). */
export function networkFailureOf(error: unknown): NetworkFailure | undefined {
  for (let current = error, depth = 0; current !== null && typeof current === 'object' && depth < 3; current = (current as ErrorFields).cause, depth++) {
    const fields = current as ErrorFields;
    const code = typeof fields.code === 'string' ? fields.code : undefined;
    const kind = code === undefined ? undefined : KINDS[code];
    if (code !== undefined && kind !== undefined) {
      const host = hostOf(fields, code);
      return { kind, code, ...(host === undefined ? {} : { host }) };
    }
    if (typeof fields.timeout === 'number') return { kind: 'timeout', code: 'timeout' };
  }
  return undefined;
}

/** The host an error names: its fields, else `getaddrinfo ENOTFOUND host` / `connect ECONNREFUSED host:port` in its message (nothing else of the message is kept). */
function hostOf(fields: ErrorFields, code: string): string | undefined {
  if (typeof fields.hostname === 'string') return fields.hostname;
  if (typeof fields.address === 'string') return typeof fields.port === 'number' ? `${fields.address}:${fields.port}` : fields.address;
  const message = typeof fields.message === 'string' ? fields.message : '';
  return new RegExp(`${code} ([A-Za-z0-9.:[\\]_-]+)`).exec(message)?.[1];
}

/**
 * One sentence for the user: what failed and that it is the network, not the credentials.
 * @param service - `Mailchimp`, `HubSpot`.
 * @param hint - what else to check, for the DNS case (e.g. a data-centre suffix).
 */
export function describeNetworkFailure(service: string, failure: NetworkFailure, hint?: string): string {
  const host = failure.host ?? `the ${service} API`;
  const what = {
    dns: `cannot resolve ${host} (DNS lookup failed, ${failure.code}): check the network and DNS${hint ? `, or ${hint}` : ''}`,
    unreachable: `cannot reach ${host} (${failure.code}): the network, a proxy or ${service} is down`,
    timeout: `${service} did not answer in time (${failure.code})`,
    reset: `the connection to ${host} was cut (${failure.code})`,
  }[failure.kind];
  return `${what}. A network problem, not a credential one: retrying may help (the queue retries the run)`;
}
