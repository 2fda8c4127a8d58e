import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, type InputIssue } from '../src/core/errors.js';
import { campaignJsonSchemaText } from '../src/campaign/campaign-json-schema.js';
import { CAMPAIGN_JSON_SCHEMA_PATH } from '../src/campaign/campaign-json-schema-path.js';
import { campaignSchema } from '../src/campaign/campaign-schema.js';
import { checkCampaignFile, loadCampaign, loadCampaigns } from '../src/campaign/load-campaign.js';
import { segmentProviders } from '../src/segments/providers.js';
import type { SegmentProviderDefinition } from '../src/segments/provider-definition.js';
import { destinationConnectors } from '../connectors/index.js';
import { runCli } from './helpers/run-cli.js';

const fixtures = resolve(import.meta.dirname, 'fixtures/campaigns');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'affinity-campaign-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text, 'utf8');
  return file;
}

async function issuesOf(file: string): Promise<InputIssue[]> {
  const check = await checkCampaignFile(file);
  if (check.ok) throw new Error(`expected ${file} to be invalid`);
  return check.issues;
}

const validBody = `type: excess-inventory
segment: { provider: local }
items: { itemIds: [item-1, item-2] }
destinations:
  - connector: file
`;

describe('loadCampaign', () => {
  it('loads a YAML campaign and applies the defaults', async () => {
    const loaded = await loadCampaign(join(fixtures, 'new-items.yaml'));
    expect(loaded.baseDir).toBe(fixtures);
    expect(loaded.campaign).toEqual({
      name: 'new-arrivals',
      type: 'new-items',
      data: 'data',
      description: 'Segments for the categories of this week\'s new products.',
      segment: { provider: 'local', numResults: 50, excludeInteracted: true, fill: 'none' },
      queries: [
        'ITEMS.CATEGORY_L1 = "footwear" AND ITEMS.GENDER = "F"',
        { CATEGORY_L1: 'jewelry', PROMOTED: 'Y' },
        { fromNewItems: { file: 'new-items.csv', column: 'CATEGORY_L1' } },
      ],
      destinations: [{ connector: 'file', dir: 'out', name: '{{campaign}}-{{query}}' }],
      schedule: { cron: '0 6 * * 1', timezone: 'Europe/Berlin', enabled: true },
    });
  });

  it('loads a JSON campaign, resolving relative names against cwd but keeping them in `file`', async () => {
    const loaded = await loadCampaign('excess-inventory.json', { cwd: fixtures });
    expect(loaded.file).toBe('excess-inventory.json');
    expect(loaded.baseDir).toBe(fixtures);
    expect(loaded.campaign.segment).toEqual({ provider: 'local', numResults: 25, excludeInteracted: true, fill: 'none' });
    expect(loaded.campaign.type === 'excess-inventory' && loaded.campaign.items).toEqual({
      inventory: { file: 'inventory.csv', rule: { onHandAtLeastTimesSales: 10, salesWindowDays: 14, minOnHand: 1 } },
      maxItems: 5,
    });
  });

  it('reports every problem of a file at once, with line and field path', async () => {
    const file = join(fixtures, 'many-errors.yaml');
    const issues = await issuesOf(file);
    expect(issues.map(({ line, field }) => `${line} ${field}`)).toEqual([
      '1 name',
      '5 segment.numResults',
      '7 queries[0]',
      '8 queries[1].fromNewItems',
      '10 queries[1].fromNewItems.colum',
      '13 destinations[0].dri',
      '15 schedule.cron',
      '16 schedule.timezone',
      '17 schedule.enabled',
    ]);
    expect(issues.every((issue) => issue.file === file)).toBe(true);
    const byField = new Map(issues.map((issue) => [issue.field, issue.message]));
    expect(byField.get('name')).toContain('expected a slug');
    expect(byField.get('segment.numResults')).toBe('expected a number ≥ 1, got a number (0)');
    expect(byField.get('destinations[0].dri')).toBe('unknown key "dri"; expected one of connector, dir, name, retire');
    expect(byField.get('schedule.enabled')).toBe('expected true or false, got a string ("yes")');
    expect(byField.get('queries[0]')).toContain('OR is not supported');
    expect(byField.get('queries[0]')).toContain('at character 32');
    expect(byField.get('queries[1].fromNewItems')).toBe('expected exactly one of column or columns');
    expect(byField.get('queries[1].fromNewItems.colum')).toBe(
      'unknown key "colum"; expected one of file, createdAfter, noInteractions, column, columns',
    );
    expect(byField.get('schedule.cron')).toContain('got value 61 expected range 0-59');
    expect(byField.get('schedule.timezone')).toBe('expected an IANA time zone such as UTC or Europe/Berlin');

    const error = await loadCampaign(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toHaveLength(9);
    expect((error as ConfigError).message.split('\n')[0]).toBe(
      `${file}:1: name: expected a slug: lower-case letters, digits, - and _, starting with a letter or digit`,
    );
  });

  it('rejects unknown keys, naming the accepted ones', async () => {
    const file = await write('unknown-keys.yaml', `name: promo\nnumresults: 5\n${validBody}`);
    expect(await issuesOf(file)).toEqual([
      {
        file,
        line: 2,
        field: 'numresults',
        message: 'unknown key "numresults"; expected one of type, name, description, data, users, segment, destinations, schedule, alerts, holdout, suppress, frequencyCap, exclusiveWith, priority, items',
      },
    ]);
  });

  it('rejects secrets anywhere, saying which environment variable to use', async () => {
    const file = join(fixtures, 'secrets.yaml');
    const secrets = (await issuesOf(file)).filter((issue) => issue.message.startsWith('secrets are not allowed'));
    expect(secrets.map(({ line, field }) => `${line} ${field}`)).toEqual([
      '5 segment.apiKey',
      '10 destinations[0].apiKey',
      '12 destinations[1].accessToken',
    ]);
    expect(secrets[1]?.message).toContain('set the environment variable MAILCHIMP_API_KEY');
    expect(secrets[2]?.message).toContain('set the environment variable HUBSPOT_ACCESS_TOKEN');
    const aws = await write(
      'aws.yaml',
      `name: aws\n${validBody.replace('{ provider: local }', '{ provider: personalize, awsSecretAccessKey: x }')}`,
    );
    const awsIssue = (await issuesOf(aws)).find((issue) => issue.field === 'segment.awsSecretAccessKey');
    expect(awsIssue?.message).toContain('standard AWS chain');
    const pasted = await write(
      'pasted.yaml',
      `name: pasted\n${validBody.replace('connector: file', 'connector: file\n    name: 0123456789abcdef0123456789abcdef-us21')}`,
    );
    expect(await issuesOf(pasted)).toEqual([
      {
        file: pasted,
        line: 7,
        field: 'destinations[0].name',
        message:
          'this looks like a Mailchimp API key; secrets are not allowed in campaign files: remove it and use the environment variable MAILCHIMP_API_KEY',
      },
    ]);
    // Reported once as a secret, not again as an unknown key.
    expect((await issuesOf(aws)).filter((issue) => issue.field === 'segment.awsSecretAccessKey')).toHaveLength(1);
  });

  it('validates cron and time zone', async () => {
    const schedule = (block: string) => write('schedule.yaml', `name: sched\n${validBody}schedule:\n${block}`);
    expect(await issuesOf(await schedule('  cron: "0 6 * *"\n'))).toEqual([
      {
        file: join(dir, 'schedule.yaml'),
        line: 8,
        field: 'schedule.cron',
        message:
          'expected a cron expression of 5 fields: minute hour day month weekday; got 4',
      },
    ]);
    expect((await issuesOf(await schedule('  cron: "0 0 31 2 *"\n'))).map((issue) => issue.message)).toEqual([
      'invalid cron expression: Invalid explicit day of month definition',
    ]);
    expect((await issuesOf(await schedule('  cron: "0 6 * * 1"\n  timezone: Europe/Atlantis\n'))).map((issue) => issue.field)).toEqual([
      'schedule.timezone',
    ]);
    // A seconds field would run the campaign every second: refused, naming the five fields.
    expect(await issuesOf(await schedule('  cron: "*/1 * * * * *"\n'))).toEqual([
      {
        file: join(dir, 'schedule.yaml'),
        line: 8,
        field: 'schedule.cron',
        message: 'expected a cron expression of 5 fields: minute hour day month weekday; got 6 (a seconds field is not supported: a campaign runs at most once a minute)',
      },
    ]);
    // EST is UTC-5 all year (no daylight saving): refused with the region zone meant.
    expect(await issuesOf(await schedule('  cron: "30 7 * * *"\n  timezone: EST\n'))).toEqual([
      {
        file: join(dir, 'schedule.yaml'),
        line: 9,
        field: 'schedule.timezone',
        message:
          '"EST" is not a region time zone: abbreviations like EST or PST are fixed offsets or follow daylight saving inconsistently; use an IANA region zone such as America/New_York, or UTC',
      },
    ]);
    const ok = await loadCampaign(await schedule('  cron: "0 6 * * MON-FRI"\n  timezone: America/New_York\n'));
    expect(ok.campaign.schedule).toEqual({ cron: '0 6 * * MON-FRI', timezone: 'America/New_York', enabled: true });
  });

  it('reports YAML and JSON syntax errors with line and column', async () => {
    const yamlFile = await write('broken.yaml', 'name: x\nsegment:\n  provider: local\n  numResults: [1,\ntype: new-items\n');
    const [yamlIssue] = await issuesOf(yamlFile);
    expect(yamlIssue?.line).toBe(5);
    expect(yamlIssue?.message).toMatch(/^invalid YAML at line 5, column 1: /);
    const jsonFile = await write('broken.json', '{\n  "name": "x",\n  "type": "new-items",,\n}\n');
    expect(await issuesOf(jsonFile)).toEqual([
      { file: jsonFile, line: 3, message: 'invalid JSON at line 3, column 23: expected double-quoted property name' },
    ]);
    // Parsed as JSON, so described in JSON terms (not YAML's "Flow map must end with a }").
    const unclosed = await write('unclosed.json', '{\n "name": "x",\n "type": {\n}\n');
    expect(await issuesOf(unclosed)).toEqual([
      { file: unclosed, line: 5, message: "invalid JSON at line 5, column 1: expected ',' or '}' after property value" },
    ]);
    expect(await issuesOf(await write('empty.json', '\n'))).toEqual([
      { file: join(dir, 'empty.json'), message: 'the file is empty; expected a campaign' },
    ]);
    expect(await issuesOf(await write('empty.yaml', '# nothing\n'))).toEqual([
      { file: join(dir, 'empty.yaml'), message: 'the file is empty; expected a campaign' },
    ]);
    expect((await issuesOf(join(dir, 'missing.yaml')))[0]?.message).toBe('file not found');
    expect((await issuesOf(await write('campaign.txt', 'name: x')))[0]?.message).toContain('expected a .yaml, .yml or .json');
    await mkdir(join(dir, 'campaigns'));
    expect(await issuesOf(join(dir, 'campaigns'))).toEqual([
      { file: join(dir, 'campaigns'), message: 'is a directory; expected a .yaml, .yml or .json file' },
    ]);
  });

  it('words the problems of provider and connector blocks like ours, each once', async () => {
    const file = await write(
      'nested.yaml',
      [
        'name: nested',
        'type: new-items',
        'segment: { provider: local, numResult: 5, numResults: abc }',
        'queries:',
        '  - { fromNewItems: { createdAfter: yesterday, column: CATEGORY_L1 } }',
        'destinations:',
        '  - { connector: hubspot, list: "x {{label}}", requestsPer10s: .nan, mode: sideways }',
        '  - { connector: mailchimp, audienceId: "", baseUrl: ftp://example.com }',
        '  - { connector: hubspot }',
        '',
      ].join('\n'),
    );
    expect((await issuesOf(file)).map((issue) => `${issue.line} ${issue.field}: ${issue.message}`)).toEqual([
      '3 segment.numResults: expected a number, got a string ("abc")',
      '3 segment.numResult: unknown key "numResult"; expected one of provider, numResults, excludeInteracted, model, fill, minPercentile',
      '5 queries[0].fromNewItems.createdAfter: expected a date (2024-12-01) or a date-time with a zone (2024-12-01T08:00:00Z)',
      '7 destinations[0].mode: expected one of additive, mirror, got a string ("sideways")',
      '7 destinations[0].requestsPer10s: expected a number, got NaN',
      '8 destinations[1].audienceId: expected the Mailchimp audience (list) id',
      '8 destinations[1].baseUrl: expected an http(s) URL',
      '9 destinations[2].list: missing; expected a string',
    ]);
  });

  it('accepts maxRemovalShare (0–1) on mirror destinations of mailchimp and hubspot, and rejects other shares', async () => {
    const campaign = (destinations: string) => `name: shares\ntype: new-items\nsegment: { provider: local }\nqueries: ['ITEMS.GENDER = "F"']\ndestinations:\n${destinations}`;
    const valid = await loadCampaign(
      await write(
        'shares.yaml',
        campaign(
          '  - { connector: mailchimp, audienceId: a1b2c3, mode: mirror, maxRemovalShare: 0.8 }\n' +
            '  - { connector: hubspot, list: "affinity {{label}}", mode: mirror, maxRemovalShare: 1 }\n' +
            '  - { connector: hubspot, list: "other {{label}}", mode: mirror }\n',
        ),
      ),
    );
    expect(valid.campaign.destinations.map((destination) => (destination as { maxRemovalShare?: number }).maxRemovalShare)).toEqual([0.8, 1, undefined]);

    const invalid = await write(
      'bad-shares.yaml',
      campaign('  - { connector: mailchimp, audienceId: a1b2c3, maxRemovalShare: 1.5 }\n  - { connector: hubspot, list: "x {{label}}", maxRemovalShare: -0.1 }\n'),
    );
    expect((await issuesOf(invalid)).map((issue) => `${issue.line} ${issue.field}: ${issue.message}`)).toEqual([
      '6 destinations[0].maxRemovalShare: expected a share from 0 to 1, e.g. 0.5',
      '7 destinations[1].maxRemovalShare: expected a share from 0 to 1, e.g. 0.5',
    ]);

    // Both connectors, in both campaign types' branches of the schema.
    const properties = JSON.stringify(JSON.parse(campaignJsonSchemaText())).match(/"maxRemovalShare":\{[^}]*\}/g);
    expect(properties).toHaveLength(4);
    expect(new Set(properties)).toEqual(
      new Set(['"maxRemovalShare":{"description":"mirror mode: the largest share of the audience one run may remove; default 0.5; 1 allows any","type":"number","minimum":0,"maximum":1}']),
    );
  });

  it('checks audience name templates as a run renders them', async () => {
    const campaign = (destinations: string, queries = '[\'ITEMS.GENDER = "F"\', \'ITEMS.GENDER = "M"\']') =>
      `name: names\ntype: new-items\nsegment: { provider: local }\nqueries: ${queries}\ndestinations:\n${destinations}`;
    const file = await write(
      'names.yaml',
      campaign(
        '  - { connector: file, name: "{{campaign}}-{{lable}}" }\n' +
          '  - { connector: mailchimp, audienceId: a1b2c3, tag: "affinity {{campaign}} {{date}}" }\n' +
          '  - { connector: hubspot, list: "affinity {{ label }}" }\n' +
          '  - { connector: file }\n',
      ),
    );
    const issues = await issuesOf(file);
    expect(issues.map(({ line, field }) => `${line} ${field}`)).toEqual(['6 destinations[0].name', '7 destinations[1].tag']);
    expect(issues[0]?.message).toBe(
      'audience name template "{{campaign}}-{{lable}}": unknown placeholder {{lable}}; expected {{campaign}}, {{query}}, {{label}}, {{date}}',
    );
    // {{date}} renders as the day of the check (YYYY-MM-DD, UTC).
    expect(issues[1]?.message).toMatch(
      /^every segment would go to the same audience "affinity names \d{4}-\d{2}-\d{2}"; put \{\{label\}\} or \{\{query\}\} in the template$/,
    );

    // One segment, one audience: a fixed name is fine. fromNewItems may make several.
    const fixed = '  - { connector: hubspot, list: "affinity footwear" }\n';
    expect((await loadCampaign(await write('one.yaml', campaign(fixed, '[\'ITEMS.GENDER = "F"\']')))).campaign.name).toBe('names');
    const derived = await write('derived.yaml', campaign(fixed, '[{ fromNewItems: { noInteractions: true, column: GENDER } }]'));
    expect((await issuesOf(derived)).map((issue) => issue.message)).toEqual([
      'every segment would go to the same audience "affinity footwear"; put {{label}} or {{query}} in the template',
    ]);
  });

  it('still reports the other fields when type is missing', async () => {
    const file = await write('no-type.yaml', 'name: Bad\nsegment: { provider: local }\ndestinations: []\n');
    const fields = (await issuesOf(file)).map((issue) => issue.field);
    expect(fields).toEqual(['type', 'name', 'destinations']);
    expect((await issuesOf(file))[0]?.message).toBe('missing; expected one of: excess-inventory, new-items');
  });

  it('reports the branch the user meant in items and queries', async () => {
    const items = await write(
      'items.yaml',
      `name: inv\ntype: excess-inventory\nsegment: { provider: local }\ndestinations: [{ connector: file }]\n` +
        `items:\n  inventory:\n    file: inv.csv\n    rule: { onHandAtLeastTimesSales: -1, salesWindowDays: 7, minOnHnd: 2 }\n`,
    );
    expect((await issuesOf(items)).map(({ line, field }) => `${line} ${field}`)).toEqual([
      '8 items.inventory.rule.onHandAtLeastTimesSales',
      '8 items.inventory.rule.minOnHnd',
    ]);
    const neither = await write('neither.yaml', `name: inv\n${validBody.replace('{ itemIds: [item-1, item-2] }', '{}')}`);
    expect((await issuesOf(neither)).map((issue) => [issue.field, issue.message])).toEqual([
      ['items', 'expected either { itemIds: [...] } or { inventory: { file, rule }, maxItems? }'],
    ]);
    const duplicates = await write('dup-ids.yaml', `name: inv\n${validBody.replace('item-2', 'item-1')}`);
    expect((await issuesOf(duplicates)).map((issue) => [issue.field, issue.message])).toEqual([
      ['items.itemIds[1]', 'ITEM_ID item-1 is listed twice'],
    ]);
    const queries = await write(
      'queries.yaml',
      `name: q\ntype: new-items\nsegment: { provider: local }\ndestinations: [{ connector: file }]\nqueries:\n` +
        `  - { CATEGORY_L1: [] }\n  - { GENDER: { nested: 1 } }\n  - 42\n`,
    );
    expect((await issuesOf(queries)).map((issue) => [issue.field, issue.message])).toEqual([
      ['queries[0].CATEGORY_L1', 'expected at least one value'],
      ['queries[1].GENDER', 'expected a value (text or number) or a list of values'],
      ['queries[2]', expect.stringContaining('expected an expression string, a structured query') as string],
    ]);
  });
});

describe('loadCampaigns', () => {
  it('rejects a campaign name used by two files, and reports every file\'s problems together', async () => {
    const error = await loadCampaigns(
      ['new-items.yaml', 'duplicate-name.yaml', 'secrets.yaml'],
      { cwd: fixtures },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues.filter((issue) => issue.file === 'secrets.yaml')).toHaveLength(5);
    expect(issues.filter((issue) => issue.file === 'duplicate-name.yaml')).toEqual([
      {
        file: 'duplicate-name.yaml',
        field: 'name',
        message: 'campaign name "new-arrivals" is already used by new-items.yaml; names must be unique',
      },
    ]);
  });

  it('loads valid files in order', async () => {
    const loaded = await loadCampaigns(['excess-inventory.json', 'new-items.yaml'], { cwd: fixtures });
    expect(loaded.map((entry) => [entry.file, entry.campaign.name, entry.campaign.type])).toEqual([
      ['excess-inventory.json', 'overstock', 'excess-inventory'],
      ['new-items.yaml', 'new-arrivals', 'new-items'],
    ]);
  });
});

describe('campaignSchema', () => {
  it('builds segment and destinations from the registries at call time', () => {
    const fake: SegmentProviderDefinition = {
      id: 'fake',
      configSchema: z.strictObject({ provider: z.literal('fake'), numResults: z.number().default(7) }),
      create: () => {
        throw new Error('not used');
      },
    };
    const input = { name: 'x', type: 'excess-inventory', segment: { provider: 'fake' }, items: { itemIds: ['a'] }, destinations: [{ connector: 'file' }] };
    expect(campaignSchema().safeParse(input).success).toBe(false);
    const parsed = campaignSchema([...segmentProviders, fake], destinationConnectors).parse(input);
    expect(parsed.segment).toEqual({ provider: 'fake', numResults: 7 });
  });

  it('names every registered provider and connector in the discriminator error', () => {
    const result = campaignSchema().safeParse({
      name: 'x', type: 'new-items', segment: { provider: 'nope' }, queries: ['ITEMS.A = "b"'], destinations: [{ connector: 'nope' }],
    });
    const messages = result.error?.issues.map((issue) => issue.message) ?? [];
    for (const { id } of segmentProviders) expect(messages[0]).toContain(`'${id}'`);
    for (const { id } of destinationConnectors) expect(messages[1]).toContain(`'${id}'`);
  });
});

describe('campaign JSON Schema', () => {
  it('the committed schema/campaign.schema.json equals the generated one (run `affinity-sync schema --out schema/campaign.schema.json`)', async () => {
    const committed = await readFile(resolve(import.meta.dirname, '..', CAMPAIGN_JSON_SCHEMA_PATH), 'utf8');
    expect(committed).toBe(campaignJsonSchemaText());
  });

  it('describes the campaign keys for editors', () => {
    const schema = JSON.parse(campaignJsonSchemaText()) as { oneOf: Array<{ properties: Record<string, { description?: string }>; required: string[] }> };
    expect(schema.oneOf.map((branch) => branch.required)).toEqual([
      ['type', 'name', 'segment', 'destinations', 'items'],
      ['type', 'name', 'segment', 'destinations', 'queries'],
    ]);
    expect(schema.oneOf[0]?.properties.data?.description).toContain('relative to this file');
  });
});

describe('CLI', () => {
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: fixtures, env });

  it('validate prints ok lines and exits 0 for valid files', async () => {
    const { code, stdout } = await cli(['validate', 'new-items.yaml', 'excess-inventory.json']);
    expect(code).toBe(0);
    expect(stdout).toBe(
      'ok    new-items.yaml  (new-arrivals: new-items, 1 destination)\n' +
        'ok    excess-inventory.json  (overstock: excess-inventory, 1 destination)\n',
    );
  });

  it('validate prints every issue and exits 2 when a file is invalid', async () => {
    const { code, stdout } = await cli(['validate', 'new-items.yaml', 'many-errors.yaml', 'duplicate-name.yaml']);
    expect(code).toBe(2);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('ok    new-items.yaml  (new-arrivals: new-items, 1 destination)');
    expect(lines[1]).toBe('FAIL  many-errors.yaml  (9 problems)');
    expect(lines[2]).toBe('  many-errors.yaml:1: name: expected a slug: lower-case letters, digits, - and _, starting with a letter or digit');
    expect(lines.slice(11)).toEqual([
      'FAIL  duplicate-name.yaml  (1 problem)',
      '  duplicate-name.yaml: name: campaign name "new-arrivals" is already used by new-items.yaml; names must be unique',
    ]);
  });

  it('validate --with-data plans the queries against the campaign\'s datasets', async () => {
    const { code, stdout } = await cli(['validate', '--with-data', 'listed-items.yaml', 'unknown-column.yaml']);
    expect(code).toBe(2);
    expect(stdout.trimEnd().split('\n')).toEqual([
      'ok    listed-items.yaml  (listed: excess-inventory, 1 destination, 2 queries)',
      'FAIL  unknown-column.yaml  (2 problems)',
      `  unknown-column.yaml:7: queries[1]: unknown column COLOUR; expected one of CATEGORY_L1, GENDER, PRICE at character 7 of "ITEMS.COLOUR = \\"red\\"" (items dataset ${join(fixtures, 'data/items.csv')})`,
      `  unknown-column.yaml:8: queries[2]: column PRODUCT_DESCRIPTION is textual, and Personalize does not allow textual columns in attribute queries; use one of CATEGORY_L1, GENDER, PRICE at character 7 of "ITEMS.PRODUCT_DESCRIPTION = \\"shoe\\"" (items dataset ${join(fixtures, 'data/items.csv')})`,
    ]);
  });

  it('validate warns about credentials the destinations will need, without changing the exit code', async () => {
    const file = await write(
      'credentials.yaml',
      `name: creds\ndata: ${join(fixtures, 'data')}\n${validBody.replace(
        '  - connector: file\n',
        '  - { connector: mailchimp, audienceId: a1b2c3 }\n  - { connector: hubspot, list: "affinity {{label}}" }\n  - connector: file\n',
      )}`,
    );
    const withoutKeys = await cli(['validate', file]);
    expect(withoutKeys.code).toBe(0);
    expect(withoutKeys.stdout.trimEnd().split('\n')).toEqual([
      `ok    ${file}  (creds: excess-inventory, 3 destinations)`,
      `  warning: ${file}: destinations[0]: MAILCHIMP_API_KEY is not set; the run will need it for this mailchimp destination`,
      `  warning: ${file}: destinations[1]: HUBSPOT_ACCESS_TOKEN is not set; the run will need it for this hubspot destination`,
    ]);
    const withKeys = await cli(['validate', file], { MAILCHIMP_API_KEY: 'test-key-us21', HUBSPOT_ACCESS_TOKEN: 'test-token' });
    expect(withKeys.code).toBe(0);
    expect(withKeys.stdout).toBe(`ok    ${file}  (creds: excess-inventory, 3 destinations)\n`);
  });

  it('validate --with-data reports every data problem of every query, and planning notes as warnings', async () => {
    const data = join(fixtures, 'data');
    const queries = await write(
      'data-problems.yaml',
      `name: data-problems\ntype: new-items\ndata: ${data}\nsegment: { provider: local }\ndestinations: [{ connector: file }]\nqueries:\n` +
        '  - { fromNewItems: { file: missing-new-items.csv, column: CATEGORY_L1 } }\n' +
        '  - ITEMS.COLOUR = "red"\n' +
        '  - { CATEGORY_L1: Footwear }\n',
    );
    await writeFile(join(dir, 'stock.csv'), 'ITEM_ID,ON_HAND\ni1,100\nold-1,5\nold-2,5\n', 'utf8');
    const inventory = await write(
      'stock.yaml',
      `name: stock\ntype: excess-inventory\ndata: ${data}\nsegment: { provider: local }\ndestinations: [{ connector: file }]\n` +
        'items: { inventory: { file: stock.csv, rule: { onHandAtLeastTimesSales: 1, salesWindowDays: 7 } } }\n',
    );
    const { code, stdout } = await cli(['validate', '--with-data', queries, inventory]);
    expect(code).toBe(2);
    const items = `(items dataset ${join(data, 'items.csv')})`;
    expect(stdout.trimEnd().split('\n')).toEqual([
      `FAIL  ${queries}  (3 problems)`,
      `  ${queries}:7: queries[0].fromNewItems.file: missing-new-items.csv: file not found (looked for ${join(dir, 'missing-new-items.csv')}; paths are relative to the campaign file)`,
      `  ${queries}:8: queries[1]: unknown column COLOUR; expected one of CATEGORY_L1, GENDER, PRICE at character 7 of "ITEMS.COLOUR = \\"red\\"" ${items}`,
      `  ${queries}:9: queries[2]: no item has CATEGORY_L1 = "Footwear"; did you mean "footwear"? ${items}`,
      `ok    ${inventory}  (stock: excess-inventory, 1 destination, 1 query)`,
      '  warning: stock.csv: 2 ITEM_IDs are not in the items dataset and were skipped (first: old-1, old-2)',
    ]);
  });

  it('schema --out writes the JSON Schema', async () => {
    const target = join(dir, 'out', 'campaign.schema.json');
    const { code, stdout } = await cli(['schema', '--out', target]);
    expect(code).toBe(0);
    expect(stdout).toBe(`wrote ${target}\n`);
    expect(await readFile(target, 'utf8')).toBe(campaignJsonSchemaText());
  });
});
