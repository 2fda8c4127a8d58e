/**
 * Problems a new user met following the README, each through the CLI: `validate` checks what `run`
 * checks (controls, s3:// data, every query's problems, the missing-users message), `--json` of
 * validate, `explain` applies the campaign's controls, `history`/`audiences` refuse an unknown
 * campaign, and `lift` says NO DATA when the interactions end before the arms were assigned.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holdoutArm } from '../src/controls/holdout-arm.js';
import { missingDatasetMessage } from '../src/datasets/find-dataset-files.js';
import { controlsWorkspace, writeCampaign } from './helpers/controls-fixture.js';
import { runCli } from './helpers/run-cli.js';

const env = { LOG_LEVEL: 'silent' };
let workspace: Awaited<ReturnType<typeof controlsWorkspace>>;

beforeEach(async () => {
  workspace = await controlsWorkspace();
  await mkdir(workspace.campaigns);
});
afterEach(async () => {
  await rm(workspace.cwd, { recursive: true, force: true });
});

const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: workspace.cwd, env: { ...env, ...extraEnv } });

async function audienceRows(file: string): Promise<Array<Record<string, string>>> {
  return parse<Record<string, string>>(await readFile(file, 'utf8'), { columns: true });
}

describe('validate checks what run checks', () => {
  it('reports a missing suppression file, one without EMAIL/USER_ID, an unknown exclusiveWith campaign and a holdout label typo, as run does', async () => {
    await writeFile(join(workspace.campaigns, 'phones.csv'), 'PHONE\n555\n');
    await writeCampaign(workspace.campaigns, 'spring', [
      'suppress:',
      '  - nosuch.csv',
      '  - phones.csv',
      'exclusiveWith: [spring-sale]',
      'holdout:',
      '  share: 0.1',
      '  segments: { cat-0O: 0.2 }',
    ]);
    const expected = [
      `campaigns/spring.yaml:17: exclusiveWith[0]: no campaign "spring-sale" in ${workspace.campaigns}; expected one of (none)`,
      'campaigns/spring.yaml:20: holdout.segments.cat-0O: no segment "cat-0O" in this run; expected one of cat-00, cat-01',
      `campaigns/spring.yaml:15: suppress[0]: suppression file ${join(workspace.campaigns, 'nosuch.csv')}: not found; expected a CSV file with a header and an EMAIL or USER_ID column`,
      `campaigns/spring.yaml:16: suppress[1]: suppression file ${join(workspace.campaigns, 'phones.csv')}: no EMAIL or USER_ID column in the header (found: PHONE)`,
    ];
    for (const args of [['validate'], ['validate', '--with-data']]) {
      const result = await cli([...args, 'campaigns/spring.yaml']);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe(['FAIL  campaigns/spring.yaml  (4 problems)', ...expected.map((line) => `  ${line}`), ''].join('\n'));
    }
    // run refuses the same campaign with the same messages (without the lines validate adds).
    const run = await cli(['run', '--dry-run', 'campaigns/spring.yaml']);
    expect(run.code).toBe(2);
    for (const line of expected) expect(run.stderr).toContain(line.replace(/^campaigns\/spring\.yaml:\d+: /, ''));
  });

  it('--json prints the problems and warnings of every file for CI', async () => {
    await writeCampaign(workspace.campaigns, 'ok');
    await writeCampaign(workspace.campaigns, 'bad', ['exclusiveWith: [nobody]']);
    const result = await cli(['validate', '--json', 'campaigns/ok.yaml', 'campaigns/bad.yaml']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual([
      { file: 'campaigns/ok.yaml', ok: true, summary: 'ok: new-items, 1 destination', problems: [], warnings: [] },
      {
        file: 'campaigns/bad.yaml',
        ok: false,
        problems: [{ file: 'campaigns/bad.yaml', line: 14, field: 'exclusiveWith[0]', message: `no campaign "nobody" in ${workspace.campaigns}; expected one of ok` }],
        warnings: [],
      },
    ]);
  });

  it('accepts an s3:// dataset without the network, refuses a malformed one', async () => {
    await writeFile(
      join(workspace.campaigns, 's3.yaml'),
      (await readFile(await writeCampaign(workspace.campaigns, 's3'), 'utf8')).replace('data: ../data', 'data: s3://shopdata/shop/'),
    );
    expect(await cli(['validate', 'campaigns/s3.yaml'])).toEqual({ code: 0, stdout: 'ok    campaigns/s3.yaml  (s3: new-items, 1 destination)\n', stderr: '' });
    const bad = await cli(['validate', '--data', 's3://x/', 'campaigns/s3.yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain('  --data: "s3://x/" is not an S3 location; expected s3://bucket/prefix/\n');
  });

  it('says what run says about a dataset directory without users', async () => {
    await mkdir(join(workspace.cwd, 'no-users'));
    for (const name of ['interactions.csv', 'items.csv']) await writeFile(join(workspace.cwd, 'no-users', name), await readFile(join(workspace.data, name)));
    await writeCampaign(workspace.campaigns, 'shop');
    const validate = await cli(['validate', '--data', 'no-users', 'campaigns/shop.yaml']);
    expect(validate.code).toBe(2);
    expect(validate.stdout).toContain(`  --data: ${join(workspace.cwd, 'no-users')}: ${missingDatasetMessage('users')}\n`);
    const run = await cli(['run', '--dry-run', '--data', 'no-users', 'campaigns/shop.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${join(workspace.cwd, 'no-users')}: ${missingDatasetMessage('users')}`);
    expect(missingDatasetMessage('users')).toContain('users.parquet or a directory users/ of part files');
  });

  it('--with-data reports the data problems of the other queries when one query is malformed (OR)', async () => {
    await writeCampaign(workspace.campaigns, 'or', [], { categories: ['cat-00', 'cat-0O'] });
    const text = await readFile(join(workspace.campaigns, 'or.yaml'), 'utf8');
    await writeFile(
      join(workspace.campaigns, 'or.yaml'),
      text.replace('  - { CATEGORY: cat-00 }', `  - 'ITEMS.CATEGORY = "cat-00" OR ITEMS.CATEGORY = "cat-01"'\n  - { NOPE: x }`),
    );
    const result = await cli(['validate', '--with-data', 'campaigns/or.yaml']);
    expect(result.code).toBe(2);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('FAIL  campaigns/or.yaml  (3 problems)');
    expect(lines[1]).toMatch(/^ {2}campaigns\/or\.yaml:5: queries\[0\]: OR is not supported/);
    expect(lines[2]).toMatch(/^ {2}campaigns\/or\.yaml:6: queries\[1\]: unknown column NOPE/);
    expect(lines[3]).toMatch(/^ {2}campaigns\/or\.yaml:7: queries\[2\]: no item has CATEGORY = "cat-0O"; did you mean "cat-00"/);
  });
});

describe('explain applies the campaign controls', () => {
  it('says a suppressed user is suppressed (which list), a holdout user is in the control group, neither synced', async () => {
    expect((await cli(['run', await writeCampaign(workspace.campaigns, 'plain')])).code).toBe(0);
    const top = await audienceRows(join(workspace.cwd, 'out/plain-cat-00.csv'));
    const userOf = (row: Record<string, string>) => row.user_id!.split('|')[0]!;
    const first = userOf(top[0]!);
    const control = top.slice(1).map(userOf).find((id) => holdoutArm('ctl', id, 0.5) === 'control')!;
    const treatment = top.slice(1).map(userOf).find((id) => holdoutArm('ctl', id, 0.5) === 'treatment')!;
    await writeFile(join(workspace.campaigns, 'vip.csv'), `USER_ID\n${first}\n`);
    await writeCampaign(workspace.campaigns, 'ctl', ['suppress:', '  - { file: vip.csv, reason: vip }', 'holdout:', '  share: 0.5']);

    const explain = (user: string) => cli(['explain', '--campaign', 'campaigns/ctl.yaml', '--user', user, '--segment', 'cat-00']);
    const suppressed = await explain(first);
    expect(suppressed.code).toBe(0);
    expect(suppressed.stdout).toMatch(/\n {2}rank 1 of [\d,]+ → suppressed by the suppression list "vip": left out of the segment, never synced\n/);
    expect((await explain(control)).stdout).toMatch(/ → in the control group \(holdout\): kept out of every destination, not synced\n/);
    expect((await explain(treatment)).stdout).toMatch(/ → in the segment \(top 100\), synced to the destinations\n/);
    const json = await cli(['explain', '--json', '--campaign', 'campaigns/ctl.yaml', '--user', first, '--segment', 'cat-00']);
    expect((JSON.parse(json.stdout) as { segments: Array<{ standing: unknown }> }).segments[0]!.standing).toMatchObject({ status: 'ranked', rank: 1, inSegment: false, control: { control: 'suppressed', list: 'vip' } });
  });

  it('reads the state store: a user an exclusive campaign placed is left out, not synced', async () => {
    expect((await cli(['run', await writeCampaign(workspace.campaigns, 'first')])).code).toBe(0);
    const [top] = await audienceRows(join(workspace.cwd, 'out/first-cat-00.csv'));
    await writeCampaign(workspace.campaigns, 'second', ['exclusiveWith: [first]']);
    const result = await cli(['explain', '--campaign', 'campaigns/second.yaml', '--user', top!.user_id!.split('|')[0]!, '--segment', 'cat-00']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\n {2}rank 1 of [\d,]+ → left out: an exclusive campaign \(exclusiveWith\) holds the user, not synced\n/);
    // Without the state store (another --state-dir), nothing was placed: the user would be synced.
    const noStore = await cli(['explain', '--campaign', 'campaigns/second.yaml', '--user', top!.user_id!.split('|')[0]!, '--segment', 'cat-00', '--state-dir', 'elsewhere']);
    expect(noStore.stdout).toMatch(/ → in the segment \(top 100\), synced to the destinations\n/);
  });
});

describe('history and audiences of an unknown campaign', () => {
  it('exit 2 naming the campaign and listing the known ones', async () => {
    expect((await cli(['run', await writeCampaign(workspace.campaigns, 'plain')])).code).toBe(0);
    for (const command of ['history', 'audiences']) {
      const result = await cli([command, 'plian']);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`error: no campaign "plian" in the state store (${join(workspace.cwd, '.affinity-sync/state.db')}); known campaigns: plain\n`);
      expect((await cli([command, 'plain'])).code).toBe(0);
    }
  });
});

describe('lift without data after the arms were assigned', () => {
  it('says NO DATA with the dates, exit 3 (also with --since beyond the data)', async () => {
    expect((await cli(['run', await writeCampaign(workspace.campaigns, 'held', ['holdout:', '  share: 0.2'])])).code).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    const lift = await cli(['lift', '--campaign', 'campaigns/held.yaml', '--event', 'any']);
    expect(lift.code).toBe(3);
    expect(lift.stdout).toMatch(new RegExp(`\\n {2}cat-00: NO DATA: the interactions end on \\d{4}-\\d{2}-\\d{2}, before the users entered their arms \\(${today}\\); `));
    expect(lift.stdout).not.toContain('TOO SMALL TO TELL');
    const since = await cli(['lift', '--campaign', 'campaigns/held.yaml', '--event', 'any', '--since', '2030-01-01', '--json']);
    expect(since.code).toBe(3);
    const report = JSON.parse(since.stdout) as { segments: Array<{ verdict: string; noData: { countsFrom: string } }> };
    expect(report.segments.map((segment) => segment.noData.countsFrom)).toEqual(['2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z']);
    expect(report.segments[0]!.verdict).toMatch(/^NO DATA: the interactions end on \d{4}-\d{2}-\d{2}, before --since 2030-01-01; /);
  });
});
