/**
 * Issue 15, "no silent successes, no silent defaults": one test per part, through the CLI as a
 * user meets it (exit code, message, and what was or was not written).
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/core/logger.js';
import { CampaignQueue } from '../src/queue/campaign-queue.js';
import { startCampaignWorker } from '../src/queue/campaign-worker.js';
import { createDefaultPipeline } from '../src/queue/default-pipeline.js';
import { deletePrefix, uniqueQueueSettings, waitForJobEnd } from './helpers/queue-redis.js';
import { runCli } from './helpers/run-cli.js';

const repo = resolve(import.meta.dirname, '..');
let cwd: string;

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'affinity-usability-'));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

/** The bundled new-items campaign in `cwd/campaigns`, edited by `edit`. */
async function newItemsCampaign(edit: (text: string) => string = (text) => text): Promise<string> {
  await mkdir(join(cwd, 'campaigns'), { recursive: true });
  await copyFile(join(repo, 'config/campaigns/new-items.csv'), join(cwd, 'campaigns/new-items.csv'));
  const text = (await readFile(join(repo, 'config/campaigns/new-items.yaml'), 'utf8')).replace(/^data: .*$/m, `data: ${join(repo, 'data/retail-demo-store')}`);
  await writeFile(join(cwd, 'campaigns/new-items.yaml'), edit(text));
  return 'campaigns/new-items.yaml';
}

const exists = (path: string) => readdir(path).then(() => true, () => false);

describe('part 2: no silent default dataset', () => {
  it('refuses a campaign without `data:` (exit 2, nothing written), even where the demo data lies; --data names it', async () => {
    // The working directory looks like the repository root: the bundled data is right there.
    await mkdir(join(cwd, 'data'));
    await symlink(join(repo, 'data/retail-demo-store'), join(cwd, 'data/retail-demo-store'));
    const file = await newItemsCampaign((text) => text.replace(/^data: .*\n/m, ''));

    const refused = await runCli(['run', file], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `error: ${join(cwd, file)}: data: no dataset: add \`data: <dataset directory>\` (relative to this file) to the campaign, or pass --data <dir>\n`,
    );
    expect(await exists(join(cwd, 'out'))).toBe(false);

    const evaluate = await runCli(['evaluate'], { cwd });
    expect(evaluate.code).toBe(2);
    expect(evaluate.stderr).toContain("error: required option '--data <dir>' not specified");

    const named = await runCli(['run', '--data', 'data/retail-demo-store', file], { cwd });
    expect(named.code).toBe(0);
    expect((await readdir(join(cwd, 'out/audiences'))).filter((name) => name.endsWith('.csv')).sort()).toEqual(['new-arrivals-footwear.csv', 'new-arrivals-jewelry.csv']);
  });
});

describe('part 8: the run id is printed when the run starts', () => {
  it('a run killed with SIGKILL has already told its id', async () => {
    const file = await newItemsCampaign();
    const child = spawn(process.execPath, [join(repo, 'bin/affinity-sync.js'), 'run', file], { cwd, env: { ...process.env, LOG_LEVEL: 'silent' } });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const firstLine = await new Promise<string>((resolveLine, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('\n')) resolveLine(stderr.split('\n')[0] ?? '');
      });
      child.on('exit', () => reject(new Error(`exited before printing a line: ${stderr}`)));
    });
    child.kill('SIGKILL');
    await new Promise((done) => child.on('close', done));
    expect(firstLine).toMatch(/^started run new-arrivals-\d{8}T\d{6}Z \(new-arrivals\)$/);
    expect(stdout).toBe('');
  });
});

describe('part 3: validate checks that every referenced file exists', () => {
  it('fails a campaign whose data directory, inventory file or users dataset is missing, with lines; --with-data problems have lines too', async () => {
    await mkdir(join(cwd, 'data-without-users'));
    await writeFile(join(cwd, 'data-without-users/interactions.csv'), 'USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1731715203\n');
    await writeFile(join(cwd, 'data-without-users/items.csv'), 'ITEM_ID,CATEGORY_L1\ni1,footwear\n');
    const campaign = (name: string, data: string) =>
      [
        `name: ${name}`,
        'type: excess-inventory',
        `data: ${data}`,
        'items:',
        '  inventory:',
        '    file: stock.csv',
        '    rule: { onHandAtLeastTimesSales: 20, salesWindowDays: 30 }',
        'segment: { provider: local }',
        'destinations: [{ connector: file }]',
        '',
      ].join('\n');
    await writeFile(join(cwd, 'missing-data.yaml'), campaign('clearance', 'no-such-dir'));
    await writeFile(join(cwd, 'no-users.yaml'), campaign('clearance-2', 'data-without-users'));

    const result = await runCli(['validate', 'missing-data.yaml', 'no-users.yaml'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe(
      [
        'FAIL  missing-data.yaml  (2 problems)',
        `  missing-data.yaml:3: data: no-such-dir: dataset directory not found (looked for ${join(cwd, 'no-such-dir')})`,
        '  missing-data.yaml:6: items.inventory.file: stock.csv: file not found',
        'FAIL  no-users.yaml  (2 problems)',
        `  no-users.yaml:3: data: data-without-users: ${join(cwd, 'data-without-users')}: no users dataset: expected users.csv, users.csv.gz, users.parquet or a directory users/ of part files in this directory (USER_ID and EMAIL turn segments into audiences; or give the campaign a users: { postgres: { query } } source)`,
        '  no-users.yaml:6: items.inventory.file: stock.csv: file not found',
        '',
      ].join('\n'),
    );

    const withData = await runCli(['validate', '--with-data', join(repo, 'test/fixtures/campaigns/unknown-column.yaml')], { cwd });
    expect(withData.code).toBe(2);
    expect(withData.stdout).toContain('unknown-column.yaml:7: queries[1]: unknown column COLOUR');
    expect(withData.stdout).toContain('unknown-column.yaml:8: queries[2]: column PRODUCT_DESCRIPTION is textual');
  });
});

describe('part 4: a run that does nothing says so and exits 3', () => {
  it('an overstock rule that selects no item names every item it left out, and why; an empty inventory says it is empty; nothing is written', async () => {
    const write = async (inventory: string, numResults = 25) => {
      await writeFile(join(cwd, 'stock.csv'), inventory);
      await writeFile(
        join(cwd, 'clearance.yaml'),
        [
          'name: clearance',
          'type: excess-inventory',
          `data: ${join(repo, 'test/fixtures/campaigns/data')}`,
          'items:',
          '  inventory:',
          '    file: stock.csv',
          '    rule: { onHandAtLeastTimesSales: 20, salesWindowDays: 30, minOnHand: 5 }',
          `segment: { provider: local, numResults: ${numResults} }`,
          'destinations: [{ connector: file, dir: out }]',
          '',
        ].join('\n'),
      );
    };
    await write('ITEM_ID,ON_HAND\ni1,3\ni2,15\n');
    const none = await runCli(['run', 'clearance.yaml'], { cwd });
    expect(none.code).toBe(3);
    expect(none.stdout).toContain(
      [
        '  NOTHING DONE: no segment to build, so nothing was written (exit code 3); the notes below say why.',
        '  note: the overstock rule selected none of the 2 inventory items',
        '  note: 2 inventory items left out by the overstock rule:',
        '    - i1: 3 on hand < minOnHand 5',
        '    - i2: 15 on hand < 20 × 1 sold in 30 days',
      ].join('\n'),
    );
    expect(await exists(join(cwd, 'out'))).toBe(false);

    await write('ITEM_ID,ON_HAND\n');
    const empty = await runCli(['run', '--json', 'clearance.yaml'], { cwd });
    expect(empty.code).toBe(3);
    const [report] = JSON.parse(empty.stdout) as Array<{ segments: unknown[]; notes: string[] }>;
    expect(report?.segments).toEqual([]);
    expect(report?.notes).toEqual(['stock.csv: the inventory file has no rows, so there is no item to segment']);
    expect(await exists(join(cwd, 'out'))).toBe(false);

    // numResults above the user base: the segment is everyone, and the report says so.
    await write('ITEM_ID,ON_HAND\ni1,100\n', 500);
    const everyone = await runCli(['run', 'clearance.yaml'], { cwd });
    expect(everyone.stdout).toContain(
      '  note: numResults 500 is not below the 2 users with interactions: each segment holds every user the recipe can rank, not a targeted audience',
    );
  });
});

describe('part 6: network problems are not blamed on the credentials', () => {
  it('an unresolvable or refusing host is "cannot resolve / cannot reach" with exit 1, for Mailchimp and HubSpot', async () => {
    const mailchimp = (baseUrl: string) =>
      runCli(['connectors', 'test', 'mailchimp', '--audience', 'a1b2c3d4e5'], { cwd, env: { LOG_LEVEL: 'silent', MAILCHIMP_API_KEY: 'abc123-us21', MAILCHIMP_BASE_URL: baseUrl } });
    const hubspot = (basePath: string) =>
      runCli(['connectors', 'test', 'hubspot'], { cwd, env: { LOG_LEVEL: 'silent', HUBSPOT_ACCESS_TOKEN: 'pat-na1-offline', HUBSPOT_BASE_PATH: basePath } });
    const notTheKey = 'A network problem, not a credential one: retrying may help (the queue retries the run)\n';

    const dns = await mailchimp('http://mailchimp.invalid/3.0');
    expect(dns.code).toBe(1);
    expect(dns.stderr).toMatch(/^error: Mailchimp ping: cannot resolve mailchimp\.invalid \(DNS lookup failed, (ENOTFOUND|EAI_AGAIN)\): check the network and DNS, or if the network is fine, the data-centre suffix of MAILCHIMP_API_KEY/);
    expect(dns.stderr.endsWith(notTheKey)).toBe(true);

    const refused = await mailchimp('http://127.0.0.1:9/3.0');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`error: Mailchimp ping: cannot reach 127.0.0.1:9 (ECONNREFUSED): the network, a proxy or Mailchimp is down. ${notTheKey}`);

    const hubspotDns = await hubspot('http://hubspot.invalid');
    expect(hubspotDns.code).toBe(1);
    expect(hubspotDns.stderr).toMatch(/^error: HubSpot, while reading lists: cannot resolve hubspot\.invalid \(DNS lookup failed, (ENOTFOUND|EAI_AGAIN)\)/);
    expect(hubspotDns.stderr.endsWith(notTheKey)).toBe(true);
    expect(hubspotDns.stderr).not.toContain('HUBSPOT_ACCESS_TOKEN');
  });
});

describe('part 7: queries compare in canonical form', () => {
  it('the same terms in another order make one segment and one audience, and the report says so', async () => {
    await writeFile(
      join(cwd, 'shoes.yaml'),
      [
        'name: shoes',
        'type: new-items',
        `data: ${join(repo, 'test/fixtures/campaigns/data')}`,
        'queries:',
        '  - ITEMS.CATEGORY_L1 = "footwear" AND ITEMS.GENDER = "F"',
        '  - ITEMS.GENDER = "F" AND ITEMS.category_l1 = "footwear"',
        '  - { GENDER: F, CATEGORY_L1: footwear }',
        'segment: { provider: local, numResults: 1, fill: activity }',
        'destinations: [{ connector: file, dir: out, name: "{{campaign}}-{{label}}" }]',
        '',
      ].join('\n'),
    );
    const result = await runCli(['run', 'shoes.yaml'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '  note: ITEMS.GENDER = "F" AND ITEMS.CATEGORY_L1 = "footwear" is the same query as ITEMS.CATEGORY_L1 = "footwear" AND ITEMS.GENDER = "F" (the same terms in another order): one segment is built',
    );
    expect((await readdir(join(cwd, 'out'))).filter((name) => name.endsWith('.csv'))).toEqual(['shoes-footwear-f.csv']);

    const validated = await runCli(['validate', '--with-data', 'shoes.yaml'], { cwd });
    expect(validated.code).toBe(0);
    expect(validated.stdout.match(/is the same query as/g)).toHaveLength(2);
  });
});

describe('part 5: a failed run reports as completely as a good one', () => {
  it('a write that fails on the second audience: the first is written and says so, the second FAILED, with the reason', async () => {
    await writeFile(
      join(cwd, 'pair.yaml'),
      [
        'name: pair',
        'type: excess-inventory',
        `data: ${join(repo, 'test/fixtures/campaigns/data')}`,
        'items: { itemIds: [i1, i2] }',
        'segment: { provider: local, numResults: 2, excludeInteracted: false, fill: activity }',
        'destinations: [{ connector: file, dir: out, name: "{{campaign}}-{{label}}" }]',
        '',
      ].join('\n'),
    );
    // Something in the way of the second audience's file.
    await mkdir(join(cwd, 'out/pair-i2.csv'), { recursive: true });
    const result = await runCli(['run', 'pair.yaml'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/│ i1 +│ 2 +│ 2 +│ 0 +│ 2 +│ file +│ out\/pair-i1\.csv +│ wrote 2 members +│/);
    expect(result.stdout).toMatch(/│ i2 +│ 2 +│ 2 +│ 0 +│ 2 +│ file +│ pair-i2 +│ FAILED: cannot rename .*: is a directory \(EISDIR\) +│/);
    expect(result.stdout).toContain('  destination 1 (file): 1 of 2 audiences written; FAILED: 1\n');
    expect(result.stderr).not.toMatch(/^error:/m);
    expect((await readFile(join(cwd, 'out/pair-i1.csv'), 'utf8')).trimEnd().split('\n')).toHaveLength(3);

    const json = await runCli(['run', '--json', 'pair.yaml'], { cwd });
    expect(json.code).toBe(2);
    const [report] = JSON.parse(json.stdout) as Array<{ destinations: Array<{ segments: Array<{ segment: string; error?: string; errorExitCode?: number; sync?: { outcomes: { added: number; alreadyMember: number } } }> }> }>;
    expect(report?.destinations[0]?.segments.map(({ segment, error, errorExitCode, sync }) => [segment, sync?.outcomes.added, error === undefined ? undefined : errorExitCode])).toEqual([
      ['i1', 2, undefined],
      ['i2', undefined, 2],
    ]);
  });
});

describe('part 10: an enqueued dry run shows in status as a dry run with its plan', () => {
  it('status says DRY RUN with would-add / would-remove counts instead of "added 0"; nothing is written', async () => {
    const settings = uniqueQueueSettings();
    const env = { ...process.env, LOG_LEVEL: 'silent', REDIS_URL: settings.redisUrl, AFFINITY_QUEUE_PREFIX: settings.prefix };
    await mkdir(join(cwd, 'campaigns'));
    await writeFile(
      join(cwd, 'campaigns/pair.yaml'),
      [
        'name: pair',
        'type: excess-inventory',
        `data: ${join(repo, 'test/fixtures/campaigns/data')}`,
        'items: { itemIds: [i1, i2] }',
        'segment: { provider: local, numResults: 2, excludeInteracted: false, fill: activity }',
        'destinations: [{ connector: file, dir: out, name: "{{campaign}}-{{label}}" }]',
        '',
      ].join('\n'),
    );
    const queue = await CampaignQueue.open(settings);
    const worker = await startCampaignWorker({ settings, pipeline: createDefaultPipeline(), env: {}, logger: silentLogger, stateDir: join(cwd, '.state'), cwd, concurrency: 2 });
    try {
      const enqueued = await runCli(['enqueue', 'pair', '--dir', 'campaigns', '--dry-run'], { cwd, env });
      expect(enqueued.code).toBe(0);
      const runId = /run (pair-\d{8}T\d{6}Z) \(dry run\)/.exec(enqueued.stdout)?.[1] ?? '';
      expect((await waitForJobEnd(queue.queue, runId, 60_000)).state).toBe('completed');

      const json = await runCli(['status', '--json'], { cwd, env });
      const [status] = JSON.parse(json.stdout) as Array<{ runs: Array<{ runId: string; dryRun: boolean; plan?: unknown; outcomes: { added: number } }> }>;
      expect(status?.runs[0]).toMatchObject({ runId, dryRun: true, plan: { add: 4, remove: 0, unchanged: 0 }, outcomes: { added: 0 } });
      const table = await runCli(['status'], { cwd, env });
      expect(table.stdout).toMatch(/│ pair +│ pair-\d{8}T\d{6}Z +│ completed +│ finished +│ would add 4 +│ 0 +│ would remove 0 +│/);
      expect(table.stdout).toMatch(/│ +│ +│ DRY RUN +│/);
      expect(await exists(join(cwd, 'out'))).toBe(false);
    } finally {
      await worker.close();
      await queue.close();
      await deletePrefix(settings.prefix);
    }
  });
});
