import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RequestBudget } from './hubspot-request-budget.js';

/** Starts `count` instant requests through the budget; returns how many have started so far. */
function startRequests(budget: RequestBudget, count: number): { started: () => number; all: Promise<unknown> } {
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

describe('RequestBudget', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets at most `requests` start in any rolling window', async () => {
    const budget = new RequestBudget({ requests: 3, windowMs: 1000, now: () => Date.now() });
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

  it('gives slots to requests others made with the token (Remaining) and lowers to the portal Max', async () => {
    const budget = new RequestBudget({ requests: 10, windowMs: 1000, now: () => Date.now() });
    budget.observe({ 'x-hubspot-ratelimit-max': '8', 'x-hubspot-ratelimit-remaining': '2', 'x-hubspot-ratelimit-interval-milliseconds': '1000' });
    expect(budget.requestsPerWindow).toBe(8);
    const run = startRequests(budget, 4);
    await vi.advanceTimersByTimeAsync(0);
    expect(run.started()).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(run.started()).toBe(4);
    await run.all;
  });

  it('holds every request back during a pause', async () => {
    const budget = new RequestBudget({ requests: 10, windowMs: 1000, now: () => Date.now() });
    budget.pauseFor(500);
    const run = startRequests(budget, 2);
    await vi.advanceTimersByTimeAsync(499);
    expect(run.started()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(run.started()).toBe(2);
    await run.all;
  });
});
