/**
 * `schedule`, `enqueue`, `status`, `dashboard` through the CLI, against the real Redis.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CampaignQueue } from '../src/queue/campaign-queue.js';
import { startDashboard } from '../src/queue/dashboard-server.js';
import type { QueueSettings } from '../src/queue/queue-settings.js';
import { nextCronRun } from '../src/queue/schedule-plan.js';
import { runCli } from './helpers/run-cli.js';
import { deletePrefix, uniqueQueueSettings } from './helpers/queue-redis.js';

const repo = resolve(import.meta.dirname, '..');
let settings: QueueSettings;
let cwd: string;
let env: NodeJS.ProcessEnv;
let queue: CampaignQueue;

beforeEach(async () => {
  settings = uniqueQueueSettings();
  env = { ...process.env, LOG_LEVEL: 'silent', REDIS_URL: settings.redisUrl, AFFINITY_QUEUE_PREFIX: settings.prefix };
  cwd = await mkdtemp(join(tmpdir(), 'queue-schedule-'));
  await mkdir(join(cwd, 'campaigns'));
  await copyFile(join(repo, 'config/campaigns/new-items.csv'), join(cwd, 'campaigns/new-items.csv'));
  queue = await CampaignQueue.open(settings);
});

afterEach(async () => {
  await queue.close();
  await deletePrefix(settings.prefix);
  await rm(cwd, { recursive: true, force: true });
});

/** A copy of the bundled new-items campaign with another name and schedule. */
async function writeCampaign(name: string, schedule: string | undefined, dir = 'campaigns'): Promise<void> {
  const text = (await readFile(join(repo, 'config/campaigns/new-items.yaml'), 'utf8'))
    .replace(/^name: .*$/m, `name: ${name}`)
    .replace(/^data: .*$/m, `data: ${join(repo, 'data/retail-demo-store')}`)
    .replace(/^schedule:[\s\S]*$/m, schedule === undefined ? '' : `schedule:\n${schedule}\n`);
  await mkdir(join(cwd, dir), { recursive: true });
  await copyFile(join(repo, 'config/campaigns/new-items.csv'), join(cwd, dir, 'new-items.csv'));
  await writeFile(join(cwd, dir, `${name}.yaml`), text);
}

const schedule = (args: string[] = []) => runCli(['schedule', '--dir', 'campaigns', ...args], { cwd, env });

async function schedulers(): Promise<Array<{ id: string; pattern?: string; tz?: string; next?: number }>> {
  const list = await queue.queue.getJobSchedulers(0, -1, true);
  return list.map((scheduler) => ({ id: scheduler.id ?? scheduler.key, pattern: scheduler.pattern, tz: scheduler.tz, next: scheduler.next })).sort((a, b) => a.id.localeCompare(b.id));
}

describe('affinity-sync schedule', () => {
  it('upserts one job scheduler per scheduled campaign; a second upsert changes nothing', async () => {
    await writeCampaign('daily', '  cron: "30 7 * * *"\n  timezone: America/New_York');
    await writeCampaign('weekly', '  cron: "0 6 * * 1"\n  timezone: Europe/Berlin');
    await writeCampaign('unscheduled', undefined);

    const first = await schedule();
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^created {2}daily {3}30 7 \* \* \* \(America\/New_York\) {2}next \d{4}-/m);
    expect(first.stdout).toContain('schedulers: 2 created, 0 updated, 0 unchanged, 0 removed');
    const afterFirst = await schedulers();
    expect(afterFirst.map(({ id, pattern, tz }) => [id, pattern, tz])).toEqual([
      ['daily', '30 7 * * *', 'America/New_York'],
      ['weekly', '0 6 * * 1', 'Europe/Berlin'],
    ]);
    expect(afterFirst[1]?.next).toBe(nextCronRun('0 6 * * 1', 'Europe/Berlin'));

    const second = await schedule();
    expect(second.stdout).toContain('schedulers: 0 created, 0 updated, 2 unchanged, 0 removed');
    expect(await schedulers()).toEqual(afterFirst);
    // One pending (delayed) job per scheduler, not one per upsert.
    expect(await queue.queue.getJobCounts('delayed', 'waiting')).toEqual({ delayed: 2, waiting: 0 });
    const delayed = await queue.queue.getDelayed();
    expect(delayed.map((job) => (job.data as { campaign: string }).campaign).sort()).toEqual(['daily', 'weekly']);
  });

  it('moves the next run when the cron changes, and removes disabled and deleted campaigns', async () => {
    await writeCampaign('daily', '  cron: "30 7 * * *"\n  timezone: UTC');
    await writeCampaign('weekly', '  cron: "0 6 * * 1"\n  timezone: UTC');
    await writeCampaign('monthly', '  cron: "0 5 1 * *"\n  timezone: UTC');
    await schedule();

    await writeCampaign('daily', '  cron: "15 3 * * *"\n  timezone: UTC');
    await writeCampaign('weekly', '  cron: "0 6 * * 1"\n  timezone: UTC\n  enabled: false');
    await rm(join(cwd, 'campaigns/monthly.yaml'));

    const dryRun = await schedule(['--dry-run']);
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout.split('\n')).toEqual([
      expect.stringMatching(/^would update {2}daily {4}15 3 \* \* \* \(UTC\) was 30 7 \* \* \* \(UTC\) {2}next /),
      'would remove  monthly  (no campaign file)',
      'would remove  weekly   (disabled)',
      'schedulers: 0 to create, 1 to update, 0 unchanged, 2 to remove (dry run: nothing changed)',
      '',
    ]);
    expect((await schedulers()).map((scheduler) => scheduler.id)).toEqual(['daily', 'monthly', 'weekly']);

    const applied = await schedule();
    expect(applied.stdout).toContain('schedulers: 0 created, 1 updated, 0 unchanged, 2 removed');
    const after = await schedulers();
    expect(after.map(({ id, pattern }) => [id, pattern])).toEqual([['daily', '15 3 * * *']]);
    expect(after[0]?.next).toBe(nextCronRun('15 3 * * *', 'UTC'));
    const delayed = await queue.queue.getDelayed();
    expect(delayed).toHaveLength(1);
    expect((delayed[0]?.timestamp ?? 0) + (delayed[0]?.delay ?? 0)).toBe(nextCronRun('15 3 * * *', 'UTC'));
  });

  it("keeps the schedulers another directory made; only --remove-others removes them, and --dry-run lists them first", async () => {
    await writeCampaign('prod-daily', '  cron: "30 7 * * *"\n  timezone: UTC', 'prod');
    await writeCampaign('prod-weekly', '  cron: "0 6 * * 1"\n  timezone: UTC', 'prod');
    expect((await runCli(['schedule', '--dir', 'prod'], { cwd, env })).code).toBe(0);

    // The workshop's folder under the production prefix: production's schedulers stay.
    await writeCampaign('workshop', '  cron: "0 9 * * *"\n  timezone: UTC', 'workshop');
    const second = await runCli(['schedule', '--dir', 'workshop'], { cwd, env });
    expect(second.code).toBe(0);
    expect(second.stdout.split('\n').slice(1)).toEqual([
      'kept     prod-weekly  (made by prod; --remove-others removes it)',
      expect.stringMatching(/^created {2}workshop {5}0 9 \* \* \* \(UTC\) {2}next /),
      'schedulers: 1 created, 0 updated, 0 unchanged, 0 removed, 2 of other directories kept',
      '',
    ]);
    expect((await schedulers()).map((scheduler) => scheduler.id)).toEqual(['prod-daily', 'prod-weekly', 'workshop']);

    // A campaign name another directory scheduled is refused, not taken over.
    await writeCampaign('prod-daily', '  cron: "0 1 * * *"\n  timezone: UTC', 'workshop');
    const conflict = await runCli(['schedule', '--dir', 'workshop'], { cwd, env });
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toBe(
      'error: workshop/prod-daily.yaml: name: "prod-daily" is already scheduled by prod (prod/prod-daily.yaml); rename this campaign, or pass --remove-others to move that schedule to workshop\n',
    );
    expect((await schedulers()).find((scheduler) => scheduler.id === 'prod-daily')?.pattern).toBe('30 7 * * *');
    await rm(join(cwd, 'workshop/prod-daily.yaml'));

    const dryRun = await runCli(['schedule', '--dir', 'workshop', '--remove-others', '--dry-run'], { cwd, env });
    expect(dryRun.stdout).toBe(
      [
        'would remove  prod-daily   (made by prod)',
        'would remove  prod-weekly  (made by prod)',
        `unchanged     workshop     0 9 * * * (UTC)  next ${new Date(nextCronRun('0 9 * * *', 'UTC')).toISOString()}`,
        'schedulers: 0 to create, 0 to update, 1 unchanged, 2 to remove (dry run: nothing changed)',
        '',
      ].join('\n'),
    );
    expect(await schedulers()).toHaveLength(3);

    const removed = await runCli(['schedule', '--dir', 'workshop', '--remove-others'], { cwd, env });
    expect(removed.stdout).toContain('schedulers: 0 created, 0 updated, 1 unchanged, 2 removed');
    expect((await schedulers()).map((scheduler) => scheduler.id)).toEqual(['workshop']);
  });

  it('refuses to touch any scheduler when a campaign file is invalid', async () => {
    await writeCampaign('daily', '  cron: "30 7 * * *"\n  timezone: UTC');
    await schedule();
    await writeFile(join(cwd, 'campaigns/broken.yaml'), 'name: broken\ntype: new-items\n');
    const result = await schedule();
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: campaigns\/broken\.yaml/);
    expect((await schedulers()).map((scheduler) => scheduler.id)).toEqual(['daily']);
  });
  it('refuses a directory without campaign files unless --remove-all is given', async () => {
    await writeCampaign('daily', '  cron: "30 7 * * *"\n  timezone: UTC');
    await schedule();
    await rm(join(cwd, 'campaigns/daily.yaml'));

    const refused = await schedule();
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('error: no campaign files in campaigns; to remove every schedule this directory made, pass --remove-all\n');
    expect((await schedulers()).map((scheduler) => scheduler.id)).toEqual(['daily']);

    const removed = await schedule(['--remove-all']);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toBe('removed  daily  (no campaign file)\nschedulers: 0 created, 0 updated, 0 unchanged, 1 removed\n');
    expect(await schedulers()).toEqual([]);
  });
});

describe('affinity-sync enqueue and status', () => {
  it('enqueues a run, deduplicates a second one, and lists both the run and the next scheduled run', async () => {
    await writeCampaign('daily', '  cron: "30 7 * * *"\n  timezone: UTC');
    await schedule();
    const first = await runCli(['enqueue', 'daily', '--dir', 'campaigns'], { cwd, env });
    expect(first.code).toBe(0);
    const runId = /run (daily-\d{8}T\d{6}Z)/.exec(first.stdout)?.[1];
    expect(runId).toMatch(/^daily-/);
    const second = await runCli(['enqueue', 'daily', '--dir', 'campaigns'], { cwd, env });
    expect(second.stdout).toBe(`daily already has a run waiting or in progress (${runId}); not enqueued again\n`);

    const status = await runCli(['status', '--json'], { cwd, env });
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as Array<{ campaign: string; schedule?: { cron: string; nextRunAt: string }; runs: Array<{ runId: string; state: string; step: string; trigger: string }> }>;
    expect(parsed).toEqual([
      {
        campaign: 'daily',
        schedule: { cron: '30 7 * * *', timezone: 'UTC', nextRunAt: new Date(nextCronRun('30 7 * * *', 'UTC')).toISOString() },
        runs: [expect.objectContaining({ runId, state: 'queued', step: 'start', trigger: 'enqueue' })],
      },
    ]);
    const table = await runCli(['status'], { cwd, env });
    expect(table.stdout).toContain(runId);
    expect(table.stdout).toContain('queued');
  });

  it('names the campaigns it knows when the name is wrong', async () => {
    await writeCampaign('daily', undefined);
    const result = await runCli(['enqueue', 'dialy', '--dir', 'campaigns'], { cwd, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: campaigns: no campaign named "dialy" (campaigns here: daily)\n');
  });

  it('fails fast with a clear message when Redis is unreachable', async () => {
    const result = await runCli(['status'], { cwd, env: { ...env, REDIS_URL: 'redis://:secret@127.0.0.1:1' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: Redis at redis://:***@127.0.0.1:1 is unreachable (connect ECONNREFUSED 127.0.0.1:1). Start Redis or set REDIS_URL.\n');
  });

  it('warns when Redis may evict keys (maxmemory-policy other than noeviction)', async () => {
    // A throwaway redis-server with the wrong policy: the shared test Redis is left as it is.
    const port = await freePort();
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru'], { stdio: 'ignore' });
    try {
      const url = `redis://127.0.0.1:${port}`;
      let result = await runCli(['status'], { cwd, env: { ...env, REDIS_URL: url } });
      for (let tries = 0; result.code !== 0 && tries < 50; tries += 1) {
        await new Promise((done) => setTimeout(done, 100));
        result = await runCli(['status'], { cwd, env: { ...env, REDIS_URL: url } });
      }
      expect(result.code).toBe(0);
      expect(result.stderr).toBe(
        'warning: Redis maxmemory-policy is "allkeys-lru"; BullMQ needs "noeviction", or Redis may drop queued jobs under memory pressure (redis-cli CONFIG SET maxmemory-policy noeviction).\n',
      );
      expect(result.stdout).toBe('no scheduled campaigns and no runs in this queue\n');
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('rejects a malformed queue prefix', async () => {
    const result = await runCli(['status'], { cwd, env: { ...env, AFFINITY_QUEUE_PREFIX: 'a:b' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('AFFINITY_QUEUE_PREFIX: expected letters, digits');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

function get(url: string, authorization?: string): Promise<{ status: number; body: string; authenticate?: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { headers: authorization ? { authorization } : {} }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolvePromise({ status: response.statusCode ?? 0, body, authenticate: response.headers['www-authenticate'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('affinity-sync dashboard', () => {
  it('refuses to start without a password', async () => {
    const result = await runCli(['dashboard'], { cwd, env: { ...env, AFFINITY_DASHBOARD_PASSWORD: '' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: AFFINITY_DASHBOARD_PASSWORD: set this environment variable');
  });

  it('serves Bull Board under /queues on 127.0.0.1 behind basic auth', async () => {
    const password = 'correct horse battery';
    const dashboard = await startDashboard({ campaignQueue: queue, env: { AFFINITY_DASHBOARD_PASSWORD: password }, port: 0 });
    try {
      expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const anonymous = await get(dashboard.url);
      expect(anonymous.status).toBe(401);
      expect(anonymous.authenticate).toContain('Basic');
      const wrong = await get(dashboard.url, `Basic ${Buffer.from('admin:nope').toString('base64')}`);
      expect(wrong.status).toBe(401);
      const basic = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
      const page = await get(`${dashboard.url}queues`, basic);
      expect(page.status).toBe(200);
      expect(page.body).toContain('<title>Bull Dashboard</title>');
      const queues = await get(`${dashboard.url}queues/api/queues`, basic);
      expect(queues.status).toBe(200);
      expect((JSON.parse(queues.body) as { queues: Array<{ name: string }> }).queues.map((entry) => entry.name)).toEqual(['campaign-runs']);
    } finally {
      await dashboard.close();
    }
  });
});
