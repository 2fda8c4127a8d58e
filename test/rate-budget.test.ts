/**
 * The rate-budget port: the in-process rolling window (fake timers) and the Redis one shared by
 * several connections, as several workers would hold (real Redis, a unique key prefix per test).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryRollingBudget } from '../src/rate-budget/memory-rate-budgets.js';
import { budgetKeyOf, type BudgetSpec, type RollingBudget } from '../src/rate-budget/rate-budgets.js';
import { createRedisRateBudgets, redisBudgetKey } from '../src/rate-budget/redis-rate-budgets.js';
import { budgetObservationOf } from '../connectors/hubspot/hubspot-portal.js';
import { deletePrefix, testRedisUrl } from './helpers/queue-redis.js';

/** Starts `count` instant requests through the budget; returns how many have started so far. */
function startRequests(budget: MemoryRollingBudget, count: number): { started: () => number; all: Promise<unknown> } {
  let started = 0;
  const all = Promise.all(
    Array.from({ length: count }, () =>
      budget.run(() => {
        started += 1;
        return Promise.resolve();
      }),
    ),
  );
  return { started: () => started, all };
}

describe('the in-process rolling budget', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets at most `requests` start in any rolling window', async () => {
    const budget = new MemoryRollingBudget({ requests: 3, windowMs: 1000, now: () => Date.now() });
    const run = startRequests(budget, 7);
    await vi.advanceTimersByTimeAsync(0);
    expect(run.started()).toBe(3);
    await vi.advanceTimersByTimeAsync(999);
    expect(run.started()).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(run.started()).toBe(6);
    await vi.advanceTimersByTimeAsync(1000);
    expect(run.started()).toBe(7);
    await run.all;
  });

  it("gives slots to requests others made with the token (HubSpot's Remaining) and lowers to the portal's Max", async () => {
    const budget = new MemoryRollingBudget({ requests: 10, windowMs: 1000, now: () => Date.now() });
    budget.observe(budgetObservationOf({ 'x-hubspot-ratelimit-max': '8', 'x-hubspot-ratelimit-remaining': '2', 'x-hubspot-ratelimit-interval-milliseconds': '1000' })!);
    expect(budget.requestsPerWindow).toBe(8);
    const run = startRequests(budget, 4);
    await vi.advanceTimersByTimeAsync(0);
    expect(run.started()).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(run.started()).toBe(4);
    await run.all;
  });

  it('holds every request back during a pause', async () => {
    const budget = new MemoryRollingBudget({ requests: 10, windowMs: 1000, now: () => Date.now() });
    budget.pauseFor(500);
    const run = startRequests(budget, 2);
    await vi.advanceTimersByTimeAsync(499);
    expect(run.started()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(run.started()).toBe(2);
    await run.all;
  });
});

describe('the Redis rolling budget, shared by several connections (workers)', () => {
  const connections: Redis[] = [];
  let prefix: string;
  const spec = (overrides: Partial<BudgetSpec> = {}): BudgetSpec => ({ scope: 'hubspot', credential: `http://127.0.0.1:1\npat-na1-${prefix}`, requests: 5, windowMs: 400, ...overrides });
  /** A budget on its own connection, as a separate worker would hold it. */
  const workerBudget = (overrides: Partial<BudgetSpec> = {}, maxRequestMs = 60_000): RollingBudget => {
    const redis = new Redis(testRedisUrl);
    connections.push(redis);
    return createRedisRateBudgets({ redis, prefix, maxRequestMs }).budgetFor(spec(overrides));
  };

  beforeEach(() => {
    prefix = `affinity-sync-test-${randomBytes(6).toString('hex')}`;
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((redis) => redis.quit()));
    await deletePrefix(prefix);
  });

  it('three workers together never start more than `requests` in any rolling window', async () => {
    const budgets = [workerBudget(), workerBudget(), workerBudget()];
    const starts: Array<{ worker: number; at: number }> = [];
    await Promise.all(
      budgets.flatMap((budget, worker) =>
        Array.from({ length: 6 }, () =>
          budget.run(async () => {
            starts.push({ worker, at: Date.now() });
            await new Promise((resolve) => setTimeout(resolve, 5));
          }),
        ),
      ),
    );
    expect(starts).toHaveLength(18);
    expect(new Set(starts.map((start) => start.worker))).toEqual(new Set([0, 1, 2]));
    const times = starts.map((start) => start.at).sort((a, b) => a - b);
    // The (i + 5)th start waits for the i-th request's slot: its answer plus the 400 ms window.
    // (2 ms: Date.now() here and Redis's TIME may round differently.)
    for (let index = 0; index + 5 < times.length; index += 1) expect(times[index + 5]! - times[index]!).toBeGreaterThanOrEqual(400 - 2);
  });

  it("keys the budget by a SHA-256 of the credential; the credential is nowhere in Redis", async () => {
    const budget = workerBudget();
    await budget.run(() => Promise.resolve());
    budget.pauseFor(50);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const redis = connections[0]!;
    const keys = (await redis.keys(`${prefix}:*`)).sort();
    const hash = budgetKeyOf(spec());
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(keys).toEqual([`${prefix}:rate-budget:hubspot:{${hash}}:pause`, `${prefix}:rate-budget:hubspot:{${hash}}:slots`]);
    expect(redisBudgetKey(prefix, spec())).toBe(keys[1]);
    const stored = [...(await redis.zrange(keys[1]!, 0, -1)), (await redis.get(keys[0]!)) ?? ''].join('\n');
    expect(`${keys.join('\n')}\n${stored}`).not.toContain(`pat-na1-${prefix}`);
  });

  it('a pause after a 429 holds back the other workers too', async () => {
    const [first, second] = [workerBudget(), workerBudget()];
    const pausedAt = Date.now();
    first.pauseFor(300);
    await new Promise((resolve) => setTimeout(resolve, 20));
    let startedAt = 0;
    await second.run(() => {
      startedAt = Date.now();
      return Promise.resolve();
    });
    expect(startedAt - pausedAt).toBeGreaterThanOrEqual(300 - 2);
  });

  it("a worker that died mid-request frees its slots after the window plus the longest request", async () => {
    const dying = workerBudget({ requests: 2 }, 300);
    // Two requests that never answer, as if the worker was killed while they were in flight.
    const grantedAt = Date.now();
    for (let index = 0; index < 2; index += 1) void dying.run(() => new Promise(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const survivor = workerBudget({ requests: 2 }, 300);
    let startedAt = 0;
    await survivor.run(() => {
      startedAt = Date.now();
      return Promise.resolve();
    });
    // In flight slots are held for windowMs (400) + maxRequestMs (300).
    expect(startedAt - grantedAt).toBeGreaterThanOrEqual(700 - 5);
  });

  it("takes the slots HubSpot says others spent (Remaining), and lowers to the portal's Max", async () => {
    const budget = workerBudget({ requests: 10 });
    await budget.run(() => Promise.resolve(), () => ({ remaining: 2, intervalMs: 400 }));
    const starts: number[] = [];
    const begun = Date.now();
    await Promise.all(Array.from({ length: 3 }, () => budget.run(() => Promise.resolve(starts.push(Date.now() - begun)))));
    starts.sort((a, b) => a - b);
    // Two free slots now (without the observation, ten): the third waits for the first slots to free.
    expect(starts[2]! - starts[0]!).toBeGreaterThanOrEqual(300);
    await budget.run(() => Promise.resolve(), () => ({ max: 4 }));
    expect(budget.requestsPerWindow).toBe(4);
  });
});
