/**
 * Run history, audience lifecycle and replay on the real store (SQLite and PostgreSQL): in-process
 * runs against the Mailchimp stand-in and files, `history`, `runs show`, `audiences`,
 * `retry-failed`, retiring audiences by policy, and maxMemberChange against the previous run.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeMailchimp, serveFakeMailchimp, type FakeMailchimpServer } from '../connectors/mailchimp/fake-mailchimp.js';
import type { RunDetail } from '../src/history/get-run.js';
import type { AudienceEntry } from '../src/history/list-audiences.js';
import type { RunHistoryEntry } from '../src/history/list-runs.js';
import type { CampaignReport } from '../src/pipeline/run-campaign.js';
import { silentLogger } from '../src/core/logger.js';
import { CampaignQueue } from '../src/queue/campaign-queue.js';
import { startCampaignWorker } from '../src/queue/campaign-worker.js';
import { createDefaultPipeline } from '../src/queue/default-pipeline.js';
import { collectRunStatus } from '../src/queue/run-status.js';
import { deletePrefix, uniqueQueueSettings, waitForJobEnd } from './helpers/queue-redis.js';
import { runCli } from './helpers/run-cli.js';
import { createTestStateLocation, stateStoreKinds, type TestStateLocation } from './helpers/state-stores.js';
import { tinyShopEmail, writeTinyShop } from './helpers/tiny-shop.js';

const KEY = '0123456789abcdef0123456789abcdef-us21';

function mailchimpCampaign(baseUrl: string, categories: string[], extra: string[] = []): string {
  return [
    'name: shop-mc',
    'type: new-items',
    'data: data',
    'segment: { provider: local, numResults: 20 }',
    `queries: [${categories.map((category) => `ITEMS.CATEGORY_L1 = "${category}"`).join(', ')}]`,
    'destinations:',
    `  - { connector: mailchimp, audienceId: a1b2c3d4e5, baseUrl: "${baseUrl}", tag: "aff {{campaign}} {{label}}", mode: mirror, newMembers: pending }`,
    ...extra,
  ].join('\n');
}

describe.each(stateStoreKinds)('history on %s', (kind) => {
  let location: TestStateLocation;
  let cwd: string;
  let fake: FakeMailchimp;
  let server: FakeMailchimpServer;
  let env: NodeJS.ProcessEnv;
  let firstRunId: string;

  const cli = async (args: string[], expectedCode = 0) => {
    const result = await runCli([...args, '--state-dir', location.stateDir], { cwd, env });
    // `run` names its run on stderr as it starts; nothing else goes there.
    expect(result.stderr.replace(/^started run \S+ \(\S+\)\n/, '')).toBe('');
    expect(result.code, result.stdout).toBe(expectedCode);
    return result.stdout;
  };
  const runJson = async (file: string, expectedCode = 0): Promise<CampaignReport> => {
    // Run ids are to the second.
    await sleep(1_050);
    return (JSON.parse(await cli(['run', '--json', file], expectedCode)) as CampaignReport[])[0]!;
  };

  beforeAll(async () => {
    location = await createTestStateLocation(kind);
    cwd = await mkdtemp(join(tmpdir(), 'history-'));
    await writeTinyShop(join(cwd, 'data'));
    fake = new FakeMailchimp();
    // Everyone is in the audience except shopper 7, whom Mailchimp holds back as a new sign-up.
    for (let n = 1; n <= 60; n += 1) if (n !== 7 && tinyShopEmail(n)) fake.members.set(tinyShopEmail(n)!, 'subscribed');
    fake.throttled.add(tinyShopEmail(7)!);
    server = await serveFakeMailchimp(fake);
    env = { LOG_LEVEL: 'silent', MAILCHIMP_API_KEY: KEY, ...location.env };
  });
  afterAll(async () => {
    await server.close();
    await location.dispose();
    await rm(cwd, { recursive: true, force: true });
  });

  it('records an in-process run: history, runs show with provenance and the campaign file hash, a retryable failed record', async () => {
    await writeFile(join(cwd, 'mc.yaml'), mailchimpCampaign(server.baseUrl, ['outdoor', 'kitchen', 'jewelry']));
    const report = await runJson('mc.yaml', 1);
    firstRunId = report.runId;

    const history = JSON.parse(await cli(['history', '--json'])) as RunHistoryEntry[];
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ runId: firstRunId, campaign: 'shop-mc', trigger: 'cli', status: 'failed', dryRun: false, segments: 3, members: 53, added: 53, removed: 0, failed: 1, matchRate: 0.9, memberChange: null, alerts: 1 });

    const run = JSON.parse(await cli(['runs', 'show', firstRunId, '--json'])) as RunDetail;
    expect(run.campaignFileHash).toBe(createHash('sha256').update(await readFile(join(cwd, 'mc.yaml'))).digest('hex'));
    expect(run.provenance).toMatchObject({ provider: 'local', modelSource: 'trained', hyperparameters: { alpha: 0.5, beta: 0.5 } });
    expect(run.provenance?.provider === 'local' && run.provenance.modelFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(run.results.map((result) => [result.segment, result.location, result.members, result.added, result.failed])).toEqual([
      ['outdoor', 'Mailchimp audience a1b2c3d4e5, tag "aff shop-mc outdoor"', 18, 18, 0],
      ['kitchen', 'Mailchimp audience a1b2c3d4e5, tag "aff shop-mc kitchen"', 17, 17, 1],
      ['jewelry', 'Mailchimp audience a1b2c3d4e5, tag "aff shop-mc jewelry"', 18, 18, 0],
    ]);
    expect(run.results[1]?.failureCodes).toEqual({ signupThrottled: 1 });
    expect(run.failedRecords).toEqual([
      {
        code: 'signupThrottled',
        reason: 'Mailchimp is holding back sign-ups of this address for now (it joined many lists recently); it passes with time, so the next run retries it',
        retryable: true,
        count: 1,
        resolved: 0,
        failedAgain: 0,
        open: 1,
        retriedBy: [],
      },
    ]);
    const text = await cli(['runs', 'show', firstRunId]);
    expect(text).toContain(`  retry them now: affinity-sync retry-failed ${firstRunId}\n`);
    expect(text).not.toMatch(/@shop\.example/);
  });

  it('retry-failed re-resolves the email and sends only that record; when it fails again, runs show names the retry run and points to retrying that one', async () => {
    const failedOut = await runCli(['retry-failed', firstRunId, '--state-dir', location.stateDir], { cwd, env });
    expect(failedOut.code).toBe(1);
    const retryRunId = /as run (shop-mc-retry-\d{8}T\d{6}Z(?:-\d+)?): 1 failed again\n/.exec(failedOut.stdout)?.[1];
    // The id printed is the retry run the store recorded for this campaign (trigger retry, failed).
    const recorded = (JSON.parse(await cli(['history', 'shop-mc', '--json'])) as Array<{ runId: string; trigger: string; status: string }>).filter((run) => run.trigger === 'retry');
    expect(recorded.map((run) => [run.runId, run.status]), failedOut.stdout).toEqual([[retryRunId, 'failed']]);
    const original = await cli(['runs', 'show', firstRunId]);
    expect(original).toContain(`; retried by run ${retryRunId!}: 1 failed again\n`);
    expect(original).toContain(`  the records that failed again are run ${retryRunId!}'s now: affinity-sync retry-failed ${retryRunId!}\n`);
    expect(original).not.toContain(`affinity-sync retry-failed ${firstRunId}`);
    const originalJson = JSON.parse(await cli(['runs', 'show', firstRunId, '--json'])) as RunDetail;
    expect(originalJson.failedRecords[0]).toMatchObject({ count: 1, resolved: 0, failedAgain: 1, open: 0, retriedBy: [{ runId: retryRunId, resolved: 0, failedAgain: 1, other: 0 }] });
    // The retry run: its segment keeps its label, and its single record is no member change against the last full run.
    const retry = JSON.parse(await cli(['runs', 'show', retryRunId!, '--json'])) as RunDetail;
    expect(retry.results.map((result) => [result.segment, result.members, result.failed, result.memberChange])).toEqual([['kitchen', 0, 1, null]]);
    expect(retry.memberChange).toBeNull();
    const retryText = await cli(['runs', 'show', retryRunId!]);
    expect(retryText).toContain(`  retry them now: affinity-sync retry-failed ${retryRunId!}\n`);
    expect(retryText).not.toContain('-57');
    // What runs show pointed to works.
    await sleep(1_050);
    fake.throttled.clear();
    const writesBefore = fake.writes();
    const out = await cli(['retry-failed', retryRunId!]);
    // One PUT (the member) and one segment POST (the tag).
    expect(fake.writes() - writesBefore).toBe(2);
    expect(out).toMatch(/^retried 1 failed record of run shop-mc-retry-\d{8}T\d{6}Z(-\d+)? as run shop-mc-retry-\d{8}T\d{6}Z(-\d+)?: 1 resolved\n/);
    const kitchen = fake.segments.find((segment) => segment.name === 'aff shop-mc kitchen')!;
    expect(kitchen.members.has(tinyShopEmail(7)!)).toBe(true);
    const afterRetry = await cli(['runs', 'show', retryRunId!]);
    expect(afterRetry).toMatch(/; retried by run shop-mc-retry-\S+: 1 resolved\n/);
    expect(afterRetry).not.toContain('retry them now');
    const history = JSON.parse(await cli(['history', 'shop-mc', '--json'])) as RunHistoryEntry[];
    expect(history.map((entry) => [entry.trigger, entry.status, entry.added, entry.failed])).toEqual([
      ['retry', 'succeeded', 1, 0],
      ['retry', 'failed', 0, 1],
      ['cli', 'failed', 53, 1],
    ]);
    const again = await runCli(['retry-failed', firstRunId, '--state-dir', location.stateDir], { cwd, env });
    expect(again).toEqual({ code: 2, stdout: '', stderr: `error: run ${firstRunId} has no failed records left to retry\n` });
  });

  it('a mirror campaign whose query is removed empties that audience; audiences shows it retired', async () => {
    await writeFile(join(cwd, 'mc.yaml'), mailchimpCampaign(server.baseUrl, ['outdoor', 'kitchen']));
    const jewelry = fake.segments.find((segment) => segment.name === 'aff shop-mc jewelry')!;
    expect(jewelry.members.size).toBe(18);
    await sleep(1_050);
    const dryRun = await cli(['run', '--dry-run', 'mc.yaml']);
    // Once, not once per pass over the destinations.
    expect(dryRun.split('\n').filter((line) => line.includes('retired Mailchimp audience'))).toEqual(['  retired Mailchimp audience a1b2c3d4e5, tag "aff shop-mc jewelry" (mailchimp, retire: empty): would be emptied, 18 members to remove']);
    expect(jewelry.members.size).toBe(18);
    const report = await runJson('mc.yaml');
    expect(jewelry.members.size).toBe(0);
    expect(fake.segments.map((segment) => segment.name)).toContain('aff shop-mc jewelry');
    expect(report.destinations[0]).toMatchObject({ retired: [{ audience: 'aff shop-mc jewelry', policy: 'empty', outcome: 'emptied', removed: 18, dryRun: false }] });

    const audiences = JSON.parse(await cli(['audiences', 'shop-mc', '--json'])) as AudienceEntry[];
    expect(audiences.map((audience) => [audience.name, audience.status, audience.members, audience.retired?.outcome ?? null])).toEqual([
      ['aff shop-mc kitchen', 'active', 18, null],
      ['aff shop-mc outdoor', 'active', 18, null],
      ['aff shop-mc jewelry', 'retired', 0, 'emptied'],
    ]);
    // Compared with the first run's audiences as it left them (53: kitchen held 17; retries are no comparison).
    const history = JSON.parse(await cli(['history', 'shop-mc', '--limit', '1', '--json'])) as RunHistoryEntry[];
    expect(history[0]).toMatchObject({ runId: report.runId, segments: 2, members: 36, removed: 18, memberChange: -17 });
  });

  it('a file destination with retire: delete removes the file and its manifest', async () => {
    const file = (categories: string[]) =>
      ['name: shop-files', 'type: new-items', 'data: data', 'segment: { provider: local, numResults: 10 }', `queries: [${categories.map((category) => `ITEMS.CATEGORY_L1 = "${category}"`).join(', ')}]`, 'destinations: [{ connector: file, dir: out, name: "{{campaign}}-{{label}}", retire: delete }]'].join('\n');
    await writeFile(join(cwd, 'files.yaml'), file(['outdoor', 'jewelry']));
    await runJson('files.yaml');
    expect(existsSync(join(cwd, 'out', 'shop-files-jewelry.csv'))).toBe(true);
    await writeFile(join(cwd, 'files.yaml'), file(['outdoor']));
    const report = await runJson('files.yaml');
    expect(existsSync(join(cwd, 'out', 'shop-files-jewelry.csv'))).toBe(false);
    expect(existsSync(join(cwd, 'out', 'shop-files-jewelry.manifest.json'))).toBe(false);
    expect(existsSync(join(cwd, 'out', 'shop-files-outdoor.csv'))).toBe(true);
    expect(report.destinations[0]).toMatchObject({ retired: [{ audience: 'shop-files-jewelry', policy: 'delete', outcome: 'deleted' }] });
  });

  it('an additive campaign keeps a retired audience and says so', async () => {
    const additive = (categories: string[]) => mailchimpCampaign(server.baseUrl, categories).replace('name: shop-mc', 'name: shop-add').replace('mode: mirror', 'mode: additive');
    await writeFile(join(cwd, 'add.yaml'), additive(['outdoor', 'jewelry']));
    await runJson('add.yaml');
    await writeFile(join(cwd, 'add.yaml'), additive(['outdoor']));
    await sleep(1_050);
    const text = await cli(['run', 'add.yaml']);
    expect(text.split('\n').filter((line) => line.includes('retired Mailchimp audience'))).toEqual(['  retired Mailchimp audience a1b2c3d4e5, tag "aff shop-add jewelry" (mailchimp, retire: keep): kept, no longer synced']);
    expect(fake.segments.find((segment) => segment.name === 'aff shop-add jewelry')?.members.size).toBe(18);
  });

  it('maxMemberChange compares with the previous run of the campaign', async () => {
    await writeFile(join(cwd, 'mc.yaml'), mailchimpCampaign(server.baseUrl, ['outdoor', 'kitchen'], ['alerts: { maxMemberChange: 0.3 }']).replace('numResults: 20', 'numResults: 10').replace('mode: mirror', 'mode: mirror, maxRemovalShare: 1'));
    const report = await runJson('mc.yaml');
    expect(report.alerts?.map((alert) => alert.rule)).toEqual(['maxMemberChange', 'maxMemberChange']);
    expect(report.alerts?.[0]?.message).toMatch(/^outdoor went from 18 to 9 members \(-50%\) since run shop-mc-\d{8}T\d{6}Z, more than the 30% allowed$/);
  });

  it('records a queued run the same way (trigger enqueue), with provenance and the change vs the previous run', async () => {
    const settings = uniqueQueueSettings();
    const store = await location.open();
    const queue = await CampaignQueue.open(settings);
    const worker = await startCampaignWorker({ settings, pipeline: createDefaultPipeline(), env, logger: silentLogger, stateDir: location.stateDir, state: store, cwd, concurrency: 2 });
    try {
      await sleep(1_050);
      const { jobId } = await queue.enqueue({ campaign: 'shop-mc', campaignFile: join(cwd, 'mc.yaml') });
      const { job, state } = await waitForJobEnd(queue.queue, jobId, 90_000);
      expect(job.failedReason).toBeUndefined();
      expect(state).toBe('completed');
      // status counts what runs show lists: members already in the tags are no chunk, yet "already in".
      const [status] = (await collectRunStatus(queue)).filter((campaign) => campaign.campaign === 'shop-mc');
      expect(status?.runs[0]?.outcomes).toEqual({ added: 0, alreadyMember: 17, removed: 0, skipped: 0, failed: 0 });

      // A queued run whose campaign file has a typo fails: recorded failed, exit code 2, no class name.
      await writeFile(join(cwd, 'typo.yaml'), mailchimpCampaign(server.baseUrl, ['outdoor']).replace('name: shop-mc', 'name: shop-typo').replace('numResults', 'numResult'));
      const typo = await queue.enqueue({ campaign: 'shop-typo', campaignFile: join(cwd, 'typo.yaml') });
      const failed = await waitForJobEnd(queue.queue, typo.jobId, 90_000);
      expect(failed.state).toBe('failed');
      expect(failed.job.failedReason).toMatch(/^segments: \S*typo\.yaml:4: segment\.numResult: unknown key/);
      const [typoStatus] = (await collectRunStatus(queue)).filter((campaign) => campaign.campaign === 'shop-typo');
      expect(typoStatus?.runs[0]).toMatchObject({ state: 'failed', error: failed.job.failedReason });
      const record = await store.getRun(typo.jobId);
      expect(record).toMatchObject({ status: 'failed', exitCode: 2 });
    } finally {
      await worker.close();
      await queue.close();
      await deletePrefix(settings.prefix);
      await store.close();
    }
    const [latest] = JSON.parse(await cli(['history', 'shop-mc', '--limit', '1', '--json'])) as RunHistoryEntry[];
    expect(latest).toMatchObject({ trigger: 'enqueue', status: 'succeeded', segments: 2, members: 17, added: 0, memberChange: 0, alerts: 0 });
    const run = JSON.parse(await cli(['runs', 'show', latest!.runId, '--json'])) as RunDetail;
    expect(run.provenance).toMatchObject({ provider: 'local', modelSource: 'trained' });
    expect(run.dataEndsAt).toBe('2024-11-30T00:00:00.000Z');
    expect(run.results.map((result) => [result.segment, result.outcome, result.memberChange])).toEqual([
      ['outdoor', 'synced', 0],
      ['kitchen', 'synced', 0],
    ]);
    expect(run.results.reduce((sum, result) => sum + result.members, 0)).toBe(17);
    expect(run.results.reduce((sum, result) => sum + result.alreadyMember, 0)).toBe(17);

    const [typo] = JSON.parse(await cli(['history', 'shop-typo', '--json'])) as RunHistoryEntry[];
    expect(typo).toMatchObject({ trigger: 'enqueue', status: 'failed', members: 0 });
    expect(typo?.error).toMatch(/^segments: \S*typo\.yaml:4: segment\.numResult: unknown key/);
    const typoText = await cli(['runs', 'show', typo!.runId]);
    expect(typoText.split('\n')[0]).toBe(`run ${typo!.runId} — shop-typo (unknown), enqueue, failed`);
    expect(await cli(['history', 'shop-typo'])).not.toContain('Error:');
  });
});
