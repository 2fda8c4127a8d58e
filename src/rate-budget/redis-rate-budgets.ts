/**
 * The Redis implementation of the rate-budget port: every worker of a deployment (one Redis, one
 * key prefix) draws on one rolling window per credential, kept in Redis under a SHA-256 of the
 * credential (`<prefix>:rate-budget:<scope>:{<sha256>}:slots`). See `redis-budget-scripts.ts` for the
 * data and the atomic Lua scripts.
 *
 * Why our own script and not a library: HubSpot answers a rolling 10 s window with 429s, so the
 * budget must be a rolling window whose slots stay taken until a window after each answer (the
 * server counted the request somewhere in between). `rate-limiter-flexible`'s Redis limiters count
 * in fixed windows (up to twice the limit in a rolling window that straddles two of them) and count a
 * request when it starts; `bottleneck`'s Redis clustering has had no release since 2019. The
 * sliding-window log here is four short scripts on Redis's own clock.
 *
 * Within one process, waiting requests queue first come, first served and only the first asks
 * Redis, so a busy worker sends one script call per request granted plus one per wait.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { TransientError } from '../core/errors.js';
import { ACQUIRE_SCRIPT, OBSERVE_SCRIPT, PAUSE_SCRIPT, RELEASE_SCRIPT } from './redis-budget-scripts.js';
import { budgetCache, budgetKeyOf, type BudgetObservation, type BudgetSpec, type RateBudgets, type RollingBudget } from './rate-budgets.js';

export interface RedisRateBudgetsOptions {
  /** An open connection (a worker passes its own). */
  redis: Redis;
  /** Key prefix of the deployment (`AFFINITY_QUEUE_PREFIX`): workers share budgets within one prefix. */
  prefix: string;
  /**
   * Longest a request may hold its slot without an answer (its worker died), in milliseconds,
   * counted on top of the window. @defaultValue 60000 (the HubSpot connector's request timeout)
   */
  maxRequestMs?: number;
  /** How often a waiting worker looks again when every slot is in flight, in milliseconds. @defaultValue windowMs / requests, within 10–250 */
  pollMs?: number;
  /** Told (once per failure) when Redis could not record an answer; the slot then frees after `maxRequestMs`. */
  onWarning?: (message: string) => void;
}

/** The Redis key of a budget's slots (its pause key is beside it). Holds the SHA-256 of the credential, never the credential. */
export function redisBudgetKey(prefix: string, spec: Pick<BudgetSpec, 'scope' | 'credential'>): string {
  return `${prefix}:rate-budget:${spec.scope}:{${budgetKeyOf(spec)}}:slots`;
}

type ScriptCall = (keys: string[], args: Array<string | number>) => Promise<unknown>;

/** An EVALSHA-backed call of `lua` (ioredis `defineCommand` retries with EVAL when Redis lacks the script). */
function scriptOn(redis: Redis, name: string, lua: string, numberOfKeys: number): ScriptCall {
  const commands = redis as unknown as Record<string, ((...args: Array<string | number>) => Promise<unknown>) | undefined>;
  if (typeof commands[name] !== 'function') redis.defineCommand(name, { numberOfKeys, lua });
  return (keys, args) => commands[name]!(...keys, ...args);
}

interface Scripts {
  acquire: ScriptCall;
  release: ScriptCall;
  pause: ScriptCall;
  observe: ScriptCall;
}

function unreachable(error: unknown): TransientError {
  const reason = error instanceof Error ? error.message : String(error);
  return new TransientError(`the shared rate budget in Redis could not be reached (${reason})`, { cause: error });
}

/** One credential's budget, as seen from this process. */
class RedisRollingBudget implements RollingBudget {
  private capacity: number;
  private readonly slotsKey: string;
  private readonly pauseKey: string;
  private readonly holdMs: number;
  private readonly pollMs: number;
  private readonly idPrefix = randomBytes(6).toString('hex');
  private nextId = 0;
  private readonly waiters: Array<{ resolve: (grantedAt: { id: string; at: number }) => void; reject: (error: unknown) => void }> = [];
  private pumping = false;

  constructor(
    private readonly scripts: Scripts,
    private readonly spec: BudgetSpec,
    prefix: string,
    options: { maxRequestMs: number; pollMs?: number; onWarning?: (message: string) => void },
  ) {
    this.capacity = Math.floor(spec.requests);
    this.slotsKey = redisBudgetKey(prefix, spec);
    this.pauseKey = this.slotsKey.replace(/:slots$/, ':pause');
    this.holdMs = spec.windowMs + options.maxRequestMs;
    this.pollMs = options.pollMs ?? Math.min(250, Math.max(10, Math.round(spec.windowMs / spec.requests)));
    this.onWarning = options.onWarning;
  }

  private readonly onWarning: ((message: string) => void) | undefined;

  get requestsPerWindow(): number {
    return this.capacity;
  }

  async run<T>(request: () => Promise<T>, observe?: (answer: { value: T } | { error: unknown }) => BudgetObservation | undefined): Promise<T> {
    const slot = await new Promise<{ id: string; at: number }>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      void this.pump();
    });
    let answer: { value: T } | { error: unknown };
    try {
      answer = { value: await request() };
    } catch (error) {
      answer = { error };
    }
    await this.scripts.release([this.slotsKey], [slot.id, this.spec.windowMs]).catch((error: unknown) => {
      this.onWarning?.(`${unreachable(error).message}: a request slot stays taken until it expires`);
    });
    const observation = observe?.(answer);
    if (observation) await this.observe(observation, slot.at);
    if ('error' in answer) throw answer.error;
    return answer.value;
  }

  pauseFor(ms: number): void {
    if (!(ms > 0)) return;
    this.scripts.pause([this.pauseKey], [Math.ceil(ms)]).catch((error: unknown) => this.onWarning?.(`${unreachable(error).message}: a pause was not shared`));
  }

  lowerTo(requests: number): void {
    if (requests >= 1) this.capacity = Math.min(this.capacity, Math.floor(requests));
  }

  private async observe(observation: BudgetObservation, grantedAt: number): Promise<void> {
    const { max, remaining, intervalMs } = observation;
    if (max !== undefined && Number.isInteger(max) && max >= 1) this.lowerTo(max);
    if (remaining === undefined || !Number.isInteger(remaining) || remaining < 0) return;
    const holdMs = intervalMs !== undefined && intervalMs > 0 ? Math.min(intervalMs, this.spec.windowMs) : this.spec.windowMs;
    const ids = `seen:${this.idPrefix}:${(this.nextId += 1)}`;
    await this.scripts.observe([this.slotsKey], [this.capacity, remaining, holdMs, grantedAt, ids]).catch((error: unknown) => {
      this.onWarning?.(`${unreachable(error).message}: a rate-limit answer was not shared`);
    });
  }

  /** Serves the waiters in order: the first asks Redis for a slot, waiting as long as Redis says. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiters.length > 0) {
        const id = `${this.idPrefix}:${(this.nextId += 1)}`;
        let reply: unknown;
        try {
          reply = await this.scripts.acquire([this.slotsKey, this.pauseKey], [this.capacity, this.spec.windowMs, this.holdMs, id, this.pollMs]);
        } catch (error) {
          this.waiters.shift()!.reject(unreachable(error));
          continue;
        }
        const [granted, value] = (reply as [number, number]).map(Number) as [number, number];
        if (granted === 1) this.waiters.shift()!.resolve({ id, at: value });
        else await new Promise((resolve) => setTimeout(resolve, Math.max(1, value)));
      }
    } finally {
      this.pumping = false;
    }
  }
}

/**
 * Makes a {@link RateBudgets} whose budgets live in Redis and are shared by every process using the
 * same Redis and `prefix`.
 */
export function createRedisRateBudgets(options: RedisRateBudgetsOptions): RateBudgets {
  const scripts: Scripts = {
    acquire: scriptOn(options.redis, 'affinityBudgetAcquire', ACQUIRE_SCRIPT, 2),
    release: scriptOn(options.redis, 'affinityBudgetRelease', RELEASE_SCRIPT, 1),
    pause: scriptOn(options.redis, 'affinityBudgetPause', PAUSE_SCRIPT, 1),
    observe: scriptOn(options.redis, 'affinityBudgetObserve', OBSERVE_SCRIPT, 1),
  };
  return {
    kind: 'redis',
    budgetFor: budgetCache(
      (spec) =>
        new RedisRollingBudget(scripts, spec, options.prefix, {
          maxRequestMs: options.maxRequestMs ?? 60_000,
          ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
          ...(options.onWarning ? { onWarning: options.onWarning } : {}),
        }),
    ),
  };
}
