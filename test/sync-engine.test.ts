import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { AuthError, ConfigError, PermanentError, RateLimitedError, TransientError } from '../src/core/errors.js';
import type { AudienceMember } from '../src/identity/identity-resolver.js';
import type {
  ApplyBatch,
  AudienceRef,
  AudienceSpec,
  ConnectorLimits,
  ConnectorSession,
  DestinationConnector,
  RecordOutcome,
  SyncMode,
} from '../src/sync/destination-connector.js';
import { createRateLimiter } from '../src/sync/rate-limiter.js';
import { renderAudienceName } from '../src/sync/render-audience-name.js';
import { DEFAULT_MAX_REMOVAL_SHARE, syncAudience, type ChunkProgress } from '../src/sync/sync-audience.js';

interface FakeConfig {
  connector: 'fake';
  mode: SyncMode;
}

/** An in-memory destination that records every call. */
class FakeDestination {
  readonly audience = new Set<string>();
  exists = false;
  readonly calls: ApplyBatch[] = [];
  readonly events: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Errors thrown by the next `apply` calls, in order (undefined = answer normally). */
  failures: Array<Error | undefined> = [];
  applyDelayMs = 0;
  answer: (email: string, kind: 'add' | 'remove') => RecordOutcome | undefined = () => undefined;

  session(): ConnectorSession {
    return {
      testConnection: () => Promise.resolve('fake: ok'),
      ensureAudience: (spec: AudienceSpec, options) => {
        this.events.push(`ensure dryRun=${options.dryRun}`);
        if (options.dryRun) return Promise.resolve({ id: this.exists ? 'aud-1' : '', name: spec.name, created: false });
        const created = !this.exists;
        this.exists = true;
        return Promise.resolve({ id: 'aud-1', name: spec.name, created });
      },
      listMembers: (audience: AudienceRef) => this.list(audience),
      apply: async (_audience, batch) => {
        this.events.push('apply');
        this.calls.push(batch);
        this.inFlight += 1;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        try {
          if (this.applyDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.applyDelayMs));
          const failure = this.failures.shift();
          if (failure) throw failure;
          return [
            ...batch.add.map((member): RecordOutcome => {
              const custom = this.answer(member.email, 'add');
              if (custom) return custom;
              if (this.audience.has(member.email)) return { email: member.email, kind: 'alreadyMember' };
              this.audience.add(member.email);
              return { email: member.email, kind: 'added' };
            }),
            ...batch.remove.map((email): RecordOutcome => {
              this.audience.delete(email);
              return { email, kind: 'removed' };
            }),
          ];
        } finally {
          this.inFlight -= 1;
        }
      },
      commit: () => {
        this.events.push('commit');
        return Promise.resolve();
      },
      abort: () => {
        this.events.push('abort');
        return Promise.resolve();
      },
    };
  }

  private async *list(_audience: AudienceRef): AsyncIterable<string[]> {
    this.events.push('list');
    const emails = [...this.audience];
    for (let start = 0; start < emails.length; start += 2) {
      await Promise.resolve();
      yield emails.slice(start, start + 2);
    }
  }
}

function fakeConnector(limits: ConnectorLimits, resumable = true): DestinationConnector<FakeConfig> {
  return {
    id: 'fake',
    configSchema: z.object({ connector: z.literal('fake'), mode: z.enum(['additive', 'mirror']) }),
    limits,
    capabilities: { modes: ['additive', 'mirror'], resumable },
    modeOf: (config) => config.mode,
    audienceNameOf: () => 'fake {{campaign}}',
    open: () => {
      throw new Error('tests use FakeDestination.session()');
    },
  };
}

const membersOf = (count: number, prefix = 'user'): AudienceMember[] =>
  Array.from({ length: count }, (_, index) => ({ email: `${prefix}${String(index + 1).padStart(3, '0')}@example.com`, userIds: [String(index + 1)], rank: index + 1 }));

const spec: AudienceSpec = { name: 'fake winter-boots', campaign: 'winter-boots', query: 'ITEM_ID = "B07"', runId: 'run-1' };
const fastRetry = { minDelayMs: 1, maxDelayMs: 5 };

function sync(destination: FakeDestination, connector: DestinationConnector<FakeConfig>, members: AudienceMember[], extra: { mode?: SyncMode; dryRun?: boolean; progress?: ChunkProgress; attempts?: number; maxRemovalShare?: number; session?: ConnectorSession } = {}) {
  return syncAudience({
    connector,
    config: { connector: 'fake', mode: extra.mode ?? 'additive' },
    session: extra.session ?? destination.session(),
    spec,
    members,
    dryRun: extra.dryRun ?? false,
    progress: extra.progress,
    retry: { ...fastRetry, attempts: extra.attempts ?? 5 },
    maxRemovalShare: extra.maxRemovalShare,
  });
}

describe('syncAudience', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('splits the members by rank into chunks of at most batchSize and commits once', async () => {
    const destination = new FakeDestination();
    const shuffled = membersOf(25).reverse();
    const report = await sync(destination, fakeConnector({ batchSize: 10, concurrency: 1 }), shuffled);

    expect(destination.calls.map((call) => call.add.length)).toEqual([10, 10, 5]);
    expect(destination.calls[0]?.add[0]?.email).toBe('user001@example.com');
    expect(destination.calls[2]?.add.map((member) => member.rank)).toEqual([21, 22, 23, 24, 25]);
    expect(report.plan).toEqual({ add: 25, remove: 0, unchanged: 0, chunks: 3 });
    expect(report.outcomes).toEqual({ added: 25, alreadyMember: 0, removed: 0, skipped: 0, failed: 0 });
    expect(report.membersPlanned).toBe(25);
    expect(report.audience).toEqual({ id: 'aud-1', name: 'fake winter-boots', created: true });
    expect(destination.events).toEqual(['ensure dryRun=false', 'apply', 'apply', 'apply', 'commit']);
  });

  it('folds members that share an email into one, keeping the best rank', async () => {
    const destination = new FakeDestination();
    const members: AudienceMember[] = [
      { email: 'a@example.com', userIds: ['9'], rank: 3 },
      { email: 'a@example.com', userIds: ['1'], rank: 1 },
      { email: 'b@example.com', userIds: ['2'], rank: 2 },
    ];
    const report = await sync(destination, fakeConnector({ batchSize: 10, concurrency: 1 }), members);
    expect(destination.calls[0]?.add.map((member) => [member.email, member.userIds[0]])).toEqual([
      ['a@example.com', '1'],
      ['b@example.com', '2'],
    ]);
    expect(report.membersPlanned).toBe(2);
  });

  it('never has more than limits.concurrency chunks in flight', async () => {
    const destination = new FakeDestination();
    destination.applyDelayMs = 5;
    const report = await sync(destination, fakeConnector({ batchSize: 2, concurrency: 3 }), membersOf(20));
    expect(destination.calls).toHaveLength(10);
    expect(destination.maxInFlight).toBe(3);
    expect(report.outcomes.added).toBe(20);
  });

  it('retries a TransientError and succeeds', async () => {
    const destination = new FakeDestination();
    destination.failures = [new TransientError('socket hang up'), new TransientError('502 from the vendor')];
    const report = await sync(destination, fakeConnector({ batchSize: 10, concurrency: 1 }), membersOf(5));
    expect(destination.calls).toHaveLength(3);
    expect(report.retries).toBe(2);
    expect(report.outcomes.added).toBe(5);
    expect(destination.events.at(-1)).toBe('commit');
  });

  it('gives up after the configured attempts, aborts the session and rethrows the TransientError', async () => {
    const destination = new FakeDestination();
    destination.failures = [1, 2, 3, 4].map((n) => new TransientError(`timeout ${n}`));
    await expect(sync(destination, fakeConnector({ batchSize: 10, concurrency: 1 }), membersOf(5), { attempts: 3 })).rejects.toThrow('timeout 3');
    expect(destination.calls).toHaveLength(3);
    expect(destination.events.slice(-1)).toEqual(['abort']);
    expect(destination.events).not.toContain('commit');
  });

  it('waits out RateLimitedErrors without spending an attempt', async () => {
    const destination = new FakeDestination();
    destination.failures = [new RateLimitedError('429', 5), new RateLimitedError('429', 5), new RateLimitedError('429', 5)];
    // attempts: 1 means no TransientError retry at all: only rate-limit waits can let this succeed.
    const report = await sync(destination, fakeConnector({ batchSize: 10, concurrency: 1 }), membersOf(4), { attempts: 1 });
    expect(destination.calls).toHaveLength(4);
    expect(report.rateLimitWaits).toBe(3);
    expect(report.retries).toBe(0);
    expect(report.outcomes.added).toBe(4);
  });

  it.each([
    ['PermanentError', new PermanentError('list was deleted')],
    ['AuthError', new AuthError('API key invalid')],
    ['ConfigError', new ConfigError('audience id unknown')],
  ])('fails fast on %s: one call, no new chunk, abort', async (_name, error) => {
    const destination = new FakeDestination();
    destination.failures = [error];
    await expect(sync(destination, fakeConnector({ batchSize: 2, concurrency: 1 }), membersOf(10))).rejects.toBe(error);
    expect(destination.calls).toHaveLength(1);
    expect(destination.events).toEqual(['ensure dryRun=false', 'apply', 'abort']);
  });

  it('mirror mode adds desired − current and removes current − desired, sorted', async () => {
    const destination = new FakeDestination();
    destination.exists = true;
    for (const email of ['user001@example.com', 'user002@example.com', 'zed@example.com', 'old@example.com', 'gone@example.com']) destination.audience.add(email);
    const report = await sync(destination, fakeConnector({ batchSize: 2, concurrency: 1 }), membersOf(4), { mode: 'mirror' });

    expect(destination.calls).toEqual([
      { add: membersOf(4).slice(2, 4), remove: [] },
      { add: [], remove: ['gone@example.com', 'old@example.com'] },
      { add: [], remove: ['zed@example.com'] },
    ]);
    expect(report.plan).toEqual({ add: 2, remove: 3, unchanged: 2, chunks: 4 });
    expect(report.outcomes).toEqual({ added: 2, alreadyMember: 2, removed: 3, skipped: 0, failed: 0 });
    expect([...destination.audience].sort()).toEqual(membersOf(4).map((member) => member.email));
  });

  it('additive mode never lists or removes', async () => {
    const destination = new FakeDestination();
    destination.exists = true;
    destination.audience.add('old@example.com');
    await sync(destination, fakeConnector({ batchSize: 10, concurrency: 1 }), membersOf(3));
    expect(destination.events).not.toContain('list');
    expect(destination.calls.flatMap((call) => call.remove)).toEqual([]);
    expect(destination.audience.has('old@example.com')).toBe(true);
  });

  it('a dry run reads the audience, counts the plan and writes nothing', async () => {
    const destination = new FakeDestination();
    destination.exists = true;
    for (const email of ['user001@example.com', 'old@example.com']) destination.audience.add(email);
    const report = await sync(destination, fakeConnector({ batchSize: 2, concurrency: 1 }), membersOf(5), { mode: 'mirror', dryRun: true });
    expect(destination.events).toEqual(['ensure dryRun=true', 'list']);
    expect(destination.calls).toEqual([]);
    expect(report.plan).toEqual({ add: 4, remove: 1, unchanged: 1, chunks: 4 });
    expect(report.outcomes).toEqual({ added: 0, alreadyMember: 0, removed: 0, skipped: 0, failed: 0 });
    expect([...destination.audience]).toEqual(['user001@example.com', 'old@example.com']);
  });

  it('a dry run against a missing audience does not list it and plans every member as an add', async () => {
    const destination = new FakeDestination();
    const report = await sync(destination, fakeConnector({ batchSize: 2, concurrency: 1 }), membersOf(5), { mode: 'mirror', dryRun: true });
    expect(destination.events).toEqual(['ensure dryRun=true']);
    expect(report.audience.id).toBe('');
    expect(report.plan).toEqual({ add: 5, remove: 0, unchanged: 0, chunks: 3 });
  });

  it('flags a session with listMembers as not a snapshot, and one without as a snapshot', async () => {
    const listed = await sync(new FakeDestination(), fakeConnector({ batchSize: 10, concurrency: 1 }), membersOf(3), { mode: 'mirror', dryRun: true });
    expect(listed.snapshot).toBe(false);

    const destination = new FakeDestination();
    destination.exists = true;
    destination.audience.add('old@example.com');
    const snapshotSession: ConnectorSession = { ...destination.session() };
    delete snapshotSession.listMembers;
    const report = await sync(destination, fakeConnector({ batchSize: 10, concurrency: 1 }), membersOf(3), { mode: 'mirror', dryRun: true, session: snapshotSession });
    expect(report.snapshot).toBe(true);
    expect(report.plan).toEqual({ add: 3, remove: 0, unchanged: 0, chunks: 1 });
    expect(destination.events).toEqual(['ensure dryRun=true']);
  });

  describe('mirror safety', () => {
    const fill = (destination: FakeDestination, count: number): void => {
      destination.exists = true;
      for (const member of membersOf(count)) destination.audience.add(member.email);
    };

    it('refuses to empty an audience from an empty segment, before any write', async () => {
      const destination = new FakeDestination();
      fill(destination, 3);
      const attempt = sync(destination, fakeConnector({ batchSize: 10, concurrency: 1 }), [], { mode: 'mirror', maxRemovalShare: 1 });
      await expect(attempt).rejects.toThrow(PermanentError);
      await expect(attempt).rejects.toThrow(
        'the segment is empty; refusing to remove all 3 members of fake winter-boots in mirror mode — check the datasets',
      );
      expect(destination.events).toEqual(['ensure dryRun=false', 'list', 'abort']);
      expect(destination.calls).toEqual([]);
      expect(destination.audience.size).toBe(3);
    });

    it('a dry run shows the same refusal', async () => {
      const destination = new FakeDestination();
      fill(destination, 3);
      await expect(sync(destination, fakeConnector({ batchSize: 10, concurrency: 1 }), [], { mode: 'mirror', dryRun: true })).rejects.toThrow(
        'the segment is empty; refusing to remove all 3 members',
      );
      expect(destination.events).toEqual(['ensure dryRun=true', 'list']);
    });

    it('an empty segment over an empty audience is fine', async () => {
      const destination = new FakeDestination();
      destination.exists = true;
      const report = await sync(destination, fakeConnector({ batchSize: 10, concurrency: 1 }), [], { mode: 'mirror' });
      expect(report.plan).toEqual({ add: 0, remove: 0, unchanged: 0, chunks: 0 });
      expect(destination.events).toEqual(['ensure dryRun=false', 'list', 'commit']);
    });

    it('refuses to remove more than half of the audience and more than 100 members, naming the counts', async () => {
      expect(DEFAULT_MAX_REMOVAL_SHARE).toBe(0.5);
      const destination = new FakeDestination();
      fill(destination, 300);
      const attempt = sync(destination, fakeConnector({ batchSize: 50, concurrency: 1 }), membersOf(100), { mode: 'mirror' });
      await expect(attempt).rejects.toThrow(PermanentError);
      await expect(attempt).rejects.toThrow(
        'refusing to remove 200 of the 300 members (66.7%) of fake winter-boots in mirror mode: more than maxRemovalShare (50%) and more than 100 members — check the datasets, or raise maxRemovalShare (0–1) in this destination',
      );
      expect(destination.calls).toEqual([]);
      expect(destination.audience.size).toBe(300);
    });

    it('removes them when maxRemovalShare is raised', async () => {
      const destination = new FakeDestination();
      fill(destination, 300);
      const report = await sync(destination, fakeConnector({ batchSize: 50, concurrency: 1 }), membersOf(100), { mode: 'mirror', maxRemovalShare: 0.7 });
      expect(report.plan).toEqual({ add: 0, remove: 200, unchanged: 100, chunks: 6 });
      expect(report.outcomes.removed).toBe(200);
      expect(destination.audience.size).toBe(100);
    });

    it('allows exactly half, and any share when at most 100 members go', async () => {
      const half = new FakeDestination();
      fill(half, 202);
      const halfReport = await sync(half, fakeConnector({ batchSize: 500, concurrency: 1 }), membersOf(101), { mode: 'mirror' });
      expect(halfReport.outcomes.removed).toBe(101);

      const justOver = new FakeDestination();
      fill(justOver, 202);
      await expect(sync(justOver, fakeConnector({ batchSize: 500, concurrency: 1 }), membersOf(100), { mode: 'mirror' })).rejects.toThrow(
        'refusing to remove 102 of the 202 members (50.5%)',
      );

      const small = new FakeDestination();
      fill(small, 150);
      const smallReport = await sync(small, fakeConnector({ batchSize: 500, concurrency: 1 }), membersOf(50), { mode: 'mirror' });
      expect(smallReport.outcomes.removed).toBe(100);
      expect(small.audience.size).toBe(50);
    });

    it('additive mode is never refused, and a bad maxRemovalShare is a ConfigError', async () => {
      const destination = new FakeDestination();
      fill(destination, 300);
      const report = await sync(destination, fakeConnector({ batchSize: 50, concurrency: 1 }), [], { mode: 'additive' });
      expect(report.plan.remove).toBe(0);
      await expect(sync(new FakeDestination(), fakeConnector({ batchSize: 50, concurrency: 1 }), membersOf(1), { mode: 'mirror', maxRemovalShare: -0.1 })).rejects.toThrow(
        'maxRemovalShare: expected a share between 0 and 1, got -0.1',
      );
    });
  });

  it('a resumed run skips the chunks its progress marks done', async () => {
    const destination = new FakeDestination();
    const marked: Array<[number, number]> = [];
    const progress: ChunkProgress = {
      isDone: (index) => index < 2,
      markDone: (index, outcomes) => {
        marked.push([index, outcomes.length]);
        return Promise.resolve();
      },
    };
    const report = await sync(destination, fakeConnector({ batchSize: 4, concurrency: 2 }), membersOf(10), { progress });
    expect(destination.calls.map((call) => call.add.map((member) => member.rank))).toEqual([[9, 10]]);
    expect(report.chunksResumed).toBe(2);
    expect(report.outcomes.added).toBe(2);
    expect(marked).toEqual([[2, 2]]);
  });

  it('a connector that is not resumable redoes every chunk', async () => {
    const destination = new FakeDestination();
    const marked: number[] = [];
    const progress: ChunkProgress = { isDone: () => true, markDone: (index) => Promise.resolve(void marked.push(index)) };
    const report = await sync(destination, fakeConnector({ batchSize: 4, concurrency: 1 }, false), membersOf(10), { progress });
    expect(destination.calls).toHaveLength(3);
    expect(report.chunksResumed).toBe(0);
    expect(marked).toEqual([0, 1, 2]);
  });

  it('counts skip reasons and failure codes, and a record the connector forgot as failed', async () => {
    const destination = new FakeDestination();
    destination.answer = (email) => {
      if (email === 'user001@example.com') return { email, kind: 'skipped', reason: 'unsubscribed' };
      if (email === 'user002@example.com') return { email, kind: 'skipped', reason: 'unsubscribed' };
      if (email === 'user003@example.com') return { email, kind: 'skipped', reason: 'notAMember' };
      if (email === 'user004@example.com') return { email, kind: 'failed', retryable: false, code: 'Invalid Resource' };
      return undefined;
    };
    const session = destination.session();
    const forgetful: ConnectorSession = { ...session, apply: async (audience, batch) => (await session.apply(audience, batch)).slice(0, -1) };
    const report = await sync(destination, fakeConnector({ batchSize: 10, concurrency: 1 }), membersOf(6), { session: forgetful });
    expect(report.outcomes).toEqual({ added: 1, alreadyMember: 0, removed: 0, skipped: 3, failed: 2 });
    expect(report.skipReasons).toEqual({ unsubscribed: 2, notAMember: 1 });
    expect(report.failureCodes).toEqual({ 'Invalid Resource': 1, noOutcome: 1 });
  });

  it('takes a token from the request budget before each call', async () => {
    vi.useFakeTimers();
    const limiter = createRateLimiter({ requests: 2, intervalMs: 1000 });
    const granted: number[] = [];
    const start = Date.now();
    const all = Promise.all([1, 2, 3, 4].map((n) => limiter.acquire().then(() => granted.push(n))));
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(499);
    expect(granted).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(1);
    expect(granted).toEqual([1, 2, 3]);
    await vi.advanceTimersByTimeAsync(500);
    await all;
    expect(granted).toEqual([1, 2, 3, 4]);
    expect(Date.now() - start).toBe(1000);
  });

  it('pauseFor holds every caller back', async () => {
    vi.useFakeTimers();
    const limiter = createRateLimiter({ requests: 10, intervalMs: 1000 });
    limiter.pauseFor(300);
    let granted = false;
    const waiting = limiter.acquire().then(() => (granted = true));
    await vi.advanceTimersByTimeAsync(299);
    expect(granted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(granted).toBe(true);
  });
});

describe('renderAudienceName', () => {
  it('fills the placeholders and collapses whitespace', () => {
    expect(renderAudienceName('affinity {{campaign}}  {{ query }}', { campaign: 'winter-boots', query: 'ITEMS.CATEGORY_L1 = "footwear"' })).toBe(
      'affinity winter-boots ITEMS.CATEGORY_L1 = "footwear"',
    );
    expect(renderAudienceName('{{label}} {{date}}', { campaign: 'c', query: 'q', label: 'footwear', date: new Date('2024-12-16T23:59:00Z') })).toBe('footwear 2024-12-16');
    expect(renderAudienceName('{{label}}', { campaign: 'c', query: 'ITEM_ID = "B07"' })).toBe('ITEM_ID = "B07"');
  });

  it('rejects an unknown placeholder and an empty result', () => {
    expect(() => renderAudienceName('aff {{campain}}', { campaign: 'c', query: 'q' })).toThrow('unknown placeholder {{campain}}; expected {{campaign}}, {{query}}, {{label}}, {{date}}');
    expect(() => renderAudienceName('  ', { campaign: 'c', query: 'q' })).toThrow(ConfigError);
  });
});
