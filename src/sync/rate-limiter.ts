/**
 * A token bucket that spreads requests over time: at most `requests` per `intervalMs`, refilled
 * continuously (one token every `intervalMs / requests` ms), with a burst of at most `requests`.
 * Waiters are served first come, first served. `pauseFor` holds every caller back, e.g. after a
 * 429 whose wait applies to the whole credential, not only to the request that got it.
 */

/** A request budget shared by every chunk of one sync. */
export interface RateLimiter {
  /** Resolves when one request may be sent; rejects when `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Holds every caller back for at least `ms` milliseconds from now. */
  pauseFor(ms: number): void;
}

/** Budget of a {@link createRateLimiter}: at most `requests` per `intervalMs` milliseconds. */
export interface RateLimit {
  requests: number;
  intervalMs: number;
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** A limiter that never waits (no budget declared), except for {@link RateLimiter.pauseFor}. */
function createPauseOnlyLimiter(now: () => number): RateLimiter {
  let pausedUntil = 0;
  return {
    async acquire(signal) {
      while (now() < pausedUntil) await sleep(pausedUntil - now(), signal);
    },
    pauseFor(ms) {
      pausedUntil = Math.max(pausedUntil, now() + ms);
    },
  };
}

/**
 * Creates a token bucket; without a budget it only honours {@link RateLimiter.pauseFor}.
 * @throws RangeError when `requests` or `intervalMs` is not a positive number.
 */
export function createRateLimiter(limit?: RateLimit, now: () => number = Date.now): RateLimiter {
  if (!limit) return createPauseOnlyLimiter(now);
  const { requests, intervalMs } = limit;
  if (!(requests > 0) || !(intervalMs > 0)) {
    throw new RangeError(`rate limit needs requests > 0 and intervalMs > 0, got ${requests} per ${intervalMs} ms`);
  }
  const refillEveryMs = intervalMs / requests;
  let tokens = requests;
  let refilledAt = now();
  let pausedUntil = 0;
  const waiters: Waiter[] = [];
  let timer: NodeJS.Timeout | undefined;

  const refill = (): void => {
    const at = now();
    tokens = Math.min(requests, tokens + (at - refilledAt) / refillEveryMs);
    refilledAt = at;
  };

  const drain = (): void => {
    timer = undefined;
    refill();
    while (waiters.length > 0 && tokens >= 1 && now() >= pausedUntil) {
      const waiter = waiters.shift()!;
      tokens -= 1;
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
    if (waiters.length > 0) {
      const untilToken = tokens >= 1 ? 0 : (1 - tokens) * refillEveryMs;
      const untilResume = Math.max(0, pausedUntil - now());
      timer = setTimeout(drain, Math.max(1, Math.ceil(Math.max(untilToken, untilResume))));
    }
  };

  return {
    acquire(signal) {
      signal?.throwIfAborted();
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { resolve, reject, signal };
        if (signal) {
          waiter.onAbort = () => {
            const index = waiters.indexOf(waiter);
            if (index >= 0) waiters.splice(index, 1);
            reject(abortReason(signal));
          };
          signal.addEventListener('abort', waiter.onAbort, { once: true });
        }
        waiters.push(waiter);
        if (timer === undefined) drain();
      });
    },
    pauseFor(ms) {
      pausedUntil = Math.max(pausedUntil, now() + ms);
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      if (waiters.length > 0) drain();
    },
  };
}

/** Waits `ms` milliseconds; rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The abort reason as an Error (AbortSignal.abort() gives a DOMException, which is one). */
function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error(`aborted: ${String(reason)}`);
}
