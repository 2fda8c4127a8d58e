/**
 * Rank in the audience: the Mailchimp merge field (`mergeFields.rank`) and the HubSpot contact
 * property (`properties.rank`), against the stand-ins; checked by `connectors test` and before a run
 * writes anything.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeMailchimp, serveFakeMailchimp, type FakeMailchimpServer } from '../connectors/mailchimp/fake-mailchimp.js';
import { startFakeHubSpot, type FakeHubSpot } from '../connectors/hubspot/testing/fake-hubspot-server.js';
import { controlsWorkspace, writeCampaign } from './helpers/controls-fixture.js';
import { runCli } from './helpers/run-cli.js';

const MAILCHIMP_KEY = '0123456789abcdef0123456789abcdef-us1';
const HUBSPOT_TOKEN = 'pat-na1-rank-test';
const fileDestination = ['  - connector: file', '    dir: out', '    name: "{{campaign}}-{{label}}"'];

describe('rank in the audience', () => {
  let workspace: Awaited<ReturnType<typeof controlsWorkspace>>;
  let mailchimp: FakeMailchimp;
  let mailchimpServer: FakeMailchimpServer;
  let hubspot: FakeHubSpot;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    workspace = await controlsWorkspace();
    await mkdir(workspace.campaigns);
    mailchimp = new FakeMailchimp();
    for (let u = 0; u < 800; u++) mailchimp.members.set(`user${u}@example.com`, 'subscribed');
    mailchimpServer = await serveFakeMailchimp(mailchimp);
    hubspot = await startFakeHubSpot({ accessToken: HUBSPOT_TOKEN });
    hubspot.addContacts(Array.from({ length: 800 }, (_, u) => ({ email: `user${u}@example.com` })));
    env = { LOG_LEVEL: 'silent', MAILCHIMP_API_KEY: MAILCHIMP_KEY, HUBSPOT_ACCESS_TOKEN: HUBSPOT_TOKEN };
  });
  afterEach(async () => {
    await mailchimpServer.close();
    await hubspot.close();
    await rm(workspace.cwd, { recursive: true, force: true });
  });

  const destinations = () => [
    ...fileDestination,
    '  - connector: mailchimp',
    `    audienceId: ${mailchimp.listId}`,
    `    baseUrl: ${mailchimpServer.baseUrl}`,
    '    tag: "aff {{label}}"',
    '    mergeFields: { rank: AFF_RANK }',
    '  - connector: hubspot',
    '    list: "aff {{label}}"',
    `    basePath: ${hubspot.basePath}`,
    '    properties: { rank: affinity_rank }',
  ];

  it('writes each member\'s rank to the Mailchimp merge field and the HubSpot contact property', async () => {
    mailchimp.mergeFields.push({ tag: 'AFF_RANK', type: 'number' });
    hubspot.addContactProperty('affinity_rank');
    // One field per person: with one segment per campaign, it holds that segment's rank.
    const file = await writeCampaign(workspace.campaigns, 'ranked', [], { destination: destinations(), numResults: 60, categories: ['cat-00'] });
    const result = await runCli(['run', '--json', file], { cwd: workspace.cwd, env });
    expect(result.stderr).toMatch(/^started run ranked-\d{8}T\d{6}Z \(ranked\)\n$/);
    expect(result.code).toBe(0);
    const rows = parse<{ email: string; rank: string; score: string }>(await readFile(join(workspace.cwd, 'out/ranked-cat-00.csv'), 'utf8'), { columns: true });
    expect(rows.length).toBeGreaterThan(50);
    for (const row of rows) {
      expect(Number(row.score)).toBeGreaterThan(0);
      expect(mailchimp.memberMergeFields.get(row.email)).toEqual({ AFF_RANK: Number(row.rank) });
      expect(hubspot.contactValue(row.email, 'affinity_rank')).toBe(row.rank);
    }
  });

  it('refuses a run whose merge field or contact property does not exist: exit 2, the field named, nothing written', async () => {
    const file = await writeCampaign(workspace.campaigns, 'ranked', [], { destination: destinations(), numResults: 60 });
    const result = await runCli(['run', file], { cwd: workspace.cwd, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('destinations[1].mergeFields.rank: the Mailchimp audience a1b2c3d4e5 has no merge field AFF_RANK');
    expect(result.stderr).toContain('destinations[2].properties.rank: HubSpot has no contact property "affinity_rank"');
    expect(existsSync(join(workspace.cwd, 'out'))).toBe(false);
    expect(mailchimp.writes()).toBe(0);
    expect(hubspot.stats.writes).toBe(0);
  });

  it('connectors test checks that the merge field and the property exist', async () => {
    const mailchimpArgs = ['connectors', 'test', 'mailchimp', '--audience', mailchimp.listId, '--base-url', mailchimpServer.baseUrl, '--rank-merge-field', 'AFF_RANK'];
    const hubspotArgs = ['connectors', 'test', 'hubspot', '--base-path', hubspot.basePath, '--rank-property', 'affinity_rank'];
    const missingField = await runCli(mailchimpArgs, { env });
    expect(missingField.code).toBe(2);
    expect(missingField.stderr).toContain('error: mergeFields.rank: the Mailchimp audience a1b2c3d4e5 has no merge field AFF_RANK: add a Number field');
    const missingProperty = await runCli(hubspotArgs, { env });
    expect(missingProperty.code).toBe(2);
    expect(missingProperty.stderr).toContain('error: properties.rank: HubSpot has no contact property "affinity_rank"');

    mailchimp.mergeFields.push({ tag: 'AFF_RANK', type: 'number' });
    hubspot.addContactProperty('affinity_rank');
    const okMailchimp = await runCli(mailchimpArgs, { env });
    expect(okMailchimp.stdout).toBe(`ok  mailchimp: key accepted on server us1; audience ${mailchimp.listId} "Fake audience" has 800 members; merge field AFF_RANK (rank) exists\n`);
    const okHubSpot = await runCli(hubspotArgs, { env });
    expect(okHubSpot.code).toBe(0);
    expect(okHubSpot.stdout).toMatch(/^ok {2}HubSpot token OK: .*; contact property affinity_rank \(rank\) exists\n$/);
    const badTag = await runCli([...mailchimpArgs.slice(0, -1), 'aff rank'], { env });
    expect(badTag.code).toBe(2);
    expect(badTag.stderr).toContain('mergeFields.rank: expected a Mailchimp merge tag');
  });
});
