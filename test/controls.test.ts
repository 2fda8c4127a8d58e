/**
 * Marketing controls end to end through `affinity-sync run`: suppression (additive and mirror),
 * holdout arms, bad input; and the selection rules on their own.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holdoutArm } from '../src/controls/holdout-arm.js';
import { selectSegmentUsers } from '../src/controls/select-segment-users.js';
import { FakeMailchimp, serveFakeMailchimp } from '../connectors/mailchimp/fake-mailchimp.js';
import { controlsWorkspace, writeCampaign } from './helpers/controls-fixture.js';
import { runCli } from './helpers/run-cli.js';

interface SegmentReport {
  label: string;
  usersInSegment: number;
  members: number;
  controls: { suppressed: Record<string, number>; frequencyCapped: number; exclusive: number; holdout?: { share: number; treatment: number; control: number } };
  affinity?: { withAffinity: number; padded: number };
}

const env = { LOG_LEVEL: 'silent' };

async function audienceRows(file: string): Promise<Array<Record<string, string>>> {
  return parse<Record<string, string>>(await readFile(file, 'utf8'), { columns: true });
}

describe('selectSegmentUsers', () => {
  const none = { suppressedBy: () => undefined, capped: () => false, heldElsewhere: () => false };

  it('leaves out suppressed, exclusive and capped users, counted by reason, and the next-ranked take their places', () => {
    const users = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const selected = selectSegmentUsers(users, [7, 6, 5, 4, 3, 2, 1], {
      campaign: 'c',
      numResults: 4,
      suppressedBy: (id) => ({ a: 'global', c: 'vip.csv', d: 'global' })[id],
      heldElsewhere: (id) => id === 'e',
      capped: (id) => id === 'b',
    });
    expect(selected.treatment).toEqual(['f', 'g']);
    expect(selected.treatmentScores).toEqual([2, 1]);
    expect(selected.counts).toEqual({ suppressed: { global: 2, 'vip.csv': 1 }, frequencyCapped: 1, exclusive: 1 });
    const full = selectSegmentUsers(users, undefined, { ...none, campaign: 'c', numResults: 4, suppressedBy: (id) => (id === 'b' ? 'global' : undefined) });
    expect(full.treatment).toEqual(['a', 'c', 'd', 'e']);
  });

  it('splits the kept users into disjoint arms by a hash of campaign and USER_ID, near the share', () => {
    const users = Array.from({ length: 4000 }, (_, index) => `u${index}`);
    const first = selectSegmentUsers(users, undefined, { ...none, campaign: 'spring', numResults: 4000, holdoutShare: 0.1 });
    const again = selectSegmentUsers([...users].reverse(), undefined, { ...none, campaign: 'spring', numResults: 4000, holdoutShare: 0.1 });
    expect(new Set(again.control)).toEqual(new Set(first.control));
    expect(first.control.filter((id) => first.treatment.includes(id))).toEqual([]);
    expect(first.control.length + first.treatment.length).toBe(4000);
    // Binomial(4000, 0.1): mean 400, sd 19; ±4 sd.
    expect(first.control.length).toBeGreaterThan(324);
    expect(first.control.length).toBeLessThan(476);
    expect(first.counts.holdout).toEqual({ share: 0.1, treatment: first.treatment.length, control: first.control.length });
    // Another campaign draws other arms; a larger share keeps every control user of a smaller one.
    const other = selectSegmentUsers(users, undefined, { ...none, campaign: 'summer', numResults: 4000, holdoutShare: 0.1 });
    expect(new Set(other.control)).not.toEqual(new Set(first.control));
    for (const id of first.control) expect(holdoutArm('spring', id, 0.2)).toBe('control');
  });
});

describe('controls through affinity-sync run', () => {
  let workspace: Awaited<ReturnType<typeof controlsWorkspace>>;

  beforeEach(async () => {
    workspace = await controlsWorkspace();
    await mkdir(workspace.campaigns);
  });
  afterEach(async () => {
    await rm(workspace.cwd, { recursive: true, force: true });
  });

  async function run(file: string, extraEnv: NodeJS.ProcessEnv = {}) {
    const result = await runCli(['run', '--json', file], { cwd: workspace.cwd, env: { ...env, ...extraEnv } });
    return { ...result, segments: result.code === 0 ? (JSON.parse(result.stdout) as Array<{ segments: SegmentReport[] }>)[0]!.segments : [] };
  }

  it('suppresses emails and USER_IDs from campaign and global lists, counted by reason; the next-ranked fill the segment', async () => {
    const plain = await run(await writeCampaign(workspace.campaigns, 'plain'));
    expect(plain.code).toBe(0);
    const top = await audienceRows(join(workspace.cwd, 'out/plain-cat-00.csv'));
    const [first, second, third] = top;
    await writeFile(join(workspace.cwd, 'unsubscribed.csv'), `EMAIL\n${first!.email!.toUpperCase()}\n`);
    await writeFile(join(workspace.campaigns, 'vip.csv'), `user_id,note\n${second!.user_id},vip\n`);
    await writeFile(join(workspace.campaigns, 'complaints.csv'), `email\n${third!.email}\n`);
    const file = await writeCampaign(workspace.campaigns, 'suppressed', ['suppress:', '  - vip.csv', '  - { file: complaints.csv, reason: complaints }']);

    const result = await run(file, { AFFINITY_SUPPRESSION_FILE: 'unsubscribed.csv' });
    expect(result.stderr).toMatch(/^started run suppressed-\d{8}T\d{6}Z \(suppressed\)\n$/);
    expect(result.code).toBe(0);
    const segment = result.segments[0]!;
    expect(segment.controls.suppressed).toEqual({ global: 1, 'vip.csv': 1, complaints: 1 });
    expect(segment.usersInSegment).toBe(100);
    const rows = await audienceRows(join(workspace.cwd, 'out/suppressed-cat-00.csv'));
    const emails = rows.map((row) => row.email);
    for (const gone of [first, second, third]) expect(emails).not.toContain(gone!.email);
    // The rest keep their order; the places go to the next-ranked users.
    expect(emails.slice(0, 5)).toEqual(top.slice(3, 8).map((row) => row.email));
    const ranks = rows.map((row) => Number(row.rank));
    expect(ranks[0]).toBe(1);
    for (let index = 1; index < ranks.length; index++) expect(ranks[index]).toBeGreaterThan(ranks[index - 1]!);

    const table = await runCli(['run', file], { cwd: workspace.cwd, env: { ...env, AFFINITY_SUPPRESSION_FILE: 'unsubscribed.csv' } });
    expect(table.stdout).toContain('  controls: cat-00: 3 suppressed (global 1, vip.csv 1, complaints 1)');
  });

  it('honours suppression.csv beside the campaign files as the global list when the variable is not set', async () => {
    const plain = await run(await writeCampaign(workspace.campaigns, 'plain'));
    const [first] = await audienceRows(join(workspace.cwd, 'out/plain-cat-00.csv'));
    await writeFile(join(workspace.campaigns, 'suppression.csv'), `USER_ID\n${first!.user_id!.split('|')[0]}\n`);
    const again = await run(await writeCampaign(workspace.campaigns, 'plain'));
    expect(plain.segments[0]!.controls.suppressed).toEqual({});
    expect(again.segments[0]!.controls.suppressed).toEqual({ global: 1 });
    expect((await audienceRows(join(workspace.cwd, 'out/plain-cat-00.csv'))).map((row) => row.email)).not.toContain(first!.email);
  });

  it('mirror mode removes people who became suppressed from the Mailchimp tag', async () => {
    const fake = new FakeMailchimp();
    const server = await serveFakeMailchimp(fake);
    try {
      for (let u = 0; u < 800; u++) fake.members.set(`user${u}@example.com`, 'subscribed');
      const destination = ['  - connector: mailchimp', `    audienceId: ${fake.listId}`, `    baseUrl: ${server.baseUrl}`, '    tag: "aff {{label}}"', '    mode: mirror'];
      const mailchimpEnv = { MAILCHIMP_API_KEY: '0123456789abcdef0123456789abcdef-us1' };
      const file = await writeCampaign(workspace.campaigns, 'mirror', [], { destination, numResults: 40 });
      expect((await run(file, mailchimpEnv)).code).toBe(0);
      const tag = fake.segments.find((segment) => segment.name === 'aff cat-00')!;
      const before = [...tag.members];
      expect(before.length).toBeGreaterThan(30);
      const suppressed = before.slice(0, 3);
      await writeFile(join(workspace.cwd, 'global.csv'), `email\n${suppressed.join('\n')}\n`);

      const result = await run(file, { ...mailchimpEnv, AFFINITY_SUPPRESSION_FILE: join(workspace.cwd, 'global.csv') });
      expect(result.code).toBe(0);
      expect(result.segments[0]!.controls.suppressed).toEqual({ global: 3 });
      for (const email of suppressed) expect(tag.members.has(email)).toBe(false);
      expect(tag.members.size).toBe(before.length);
    } finally {
      await server.close();
    }
  });

  it('holds the control arm out of every destination, reports both arms and keeps them across runs', async () => {
    const file = await writeCampaign(workspace.campaigns, 'held', ['holdout: { share: 0.2, segments: { cat-01: 0.5 }, export: { dir: analysis } }'], { numResults: 200 });
    const first = await run(file);
    expect(first.stderr).toMatch(/^started run held-\d{8}T\d{6}Z \(held\)\n$/);
    const [cat0, cat1] = first.segments;
    expect(cat0!.controls.holdout!.share).toBe(0.2);
    expect(cat1!.controls.holdout!.share).toBe(0.5);
    expect(cat0!.controls.holdout!.treatment + cat0!.controls.holdout!.control).toBe(200);
    expect(cat0!.controls.holdout!.control).toBeGreaterThan(20);
    expect(cat0!.controls.holdout!.control).toBeLessThan(60);
    expect(cat0!.usersInSegment).toBe(cat0!.controls.holdout!.treatment);
    const rows = await audienceRows(join(workspace.cwd, 'out/held-cat-00.csv'));
    const synced = new Set(rows.flatMap((row) => row.user_id!.split('|')));
    const assignments = await audienceRows(join(workspace.cwd, 'analysis/held-holdout.csv'));
    const control = assignments.filter((row) => row.segment === 'cat-00' && row.arm === 'control').map((row) => row.user_id!);
    expect(control).toHaveLength(cat0!.controls.holdout!.control);
    for (const id of control) expect(synced.has(id)).toBe(false);
    expect(Object.keys(assignments[0]!)).toEqual(['user_id', 'segment', 'query', 'arm', 'first_entered_at', 'run_id']);
    expect(JSON.stringify(assignments)).not.toContain('@');
    const second = await run(file);
    expect(second.segments.map((segment) => segment.controls.holdout)).toEqual(first.segments.map((segment) => segment.controls.holdout));
    expect(await audienceRows(join(workspace.cwd, 'out/held-cat-00.csv'))).toEqual(rows);
  });

  it('refuses bad control input with exit 2, naming the field, and writes nothing', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['suppress: [missing.csv]'], /suppress\[0\]: suppression file .*missing\.csv: not found/],
      [['exclusiveWith: [no-such-campaign]'], /exclusiveWith\[0\]: no campaign "no-such-campaign"/],
      [['holdout: { share: 1.5 }'], /holdout\.share: .*between 0 and 1/],
      [['holdout: { share: 0 }'], /holdout\.share: .*between 0 and 1/],
      [['frequencyCap: { maxAudiences: 2, window: soon }'], /frequencyCap\.window: expected a window such as 7d/],
    ];
    for (const [extra, message] of cases) {
      const result = await runCli(['run', await writeCampaign(workspace.campaigns, 'bad', extra)], { cwd: workspace.cwd, env });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(workspace.cwd, 'out'))).toBe(false);
    }
    await writeFile(join(workspace.campaigns, 'no-header.csv'), 'phone\n555\n');
    const noColumn = await runCli(['run', await writeCampaign(workspace.campaigns, 'bad', ['suppress: [no-header.csv]'])], { cwd: workspace.cwd, env });
    expect(noColumn.code).toBe(2);
    expect(noColumn.stderr).toMatch(/suppress\[0\]: .*no EMAIL or USER_ID column in the header \(found: phone\)/);
    const badCap = await runCli(['run', await writeCampaign(workspace.campaigns, 'ok')], { cwd: workspace.cwd, env: { ...env, AFFINITY_FREQUENCY_CAP: 'lots' } });
    expect(badCap.code).toBe(2);
    expect(badCap.stderr).toContain('AFFINITY_FREQUENCY_CAP: expected <maxAudiences>/<window> such as 3/7d, got "lots"');
    expect(existsSync(join(workspace.cwd, 'out'))).toBe(false);
  });
});
