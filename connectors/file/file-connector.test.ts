import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import type { AudienceMember } from '../../src/identity/identity-resolver.js';
import type { ConnectorSession } from '../../src/sync/destination-connector.js';
import { syncAudience } from '../../src/sync/sync-audience.js';
import { runConnectorConformance } from '../../test/helpers/connector-conformance.js';
import { fileConfigSchema, type FileConfig } from './file-config.js';
import { fileConnector, neutraliseFormula, type AudienceManifest } from './file-connector.js';
import { toFileStem } from './file-stem.js';

const members: AudienceMember[] = [
  { email: 'ana@example.com', userIds: ['1'], firstName: 'Ana', lastName: 'Silva', rank: 1, score: 0.123456789 },
  { email: 'bo@example.com', userIds: ['2', '17'], firstName: 'Bo', lastName: "O'Neil, Jr.", rank: 2, score: 0 },
  { email: 'cy@example.com', userIds: ['3'], firstName: 'Cy "the guy"', lastName: 'Lee', rank: 3 },
  { email: 'di@example.com', userIds: ['4'], rank: 4 },
  { email: 'ed@example.com', userIds: ['5'], firstName: 'Ed', lastName: 'Ng', rank: 5 },
  { email: 'fay@example.com', userIds: ['6'], firstName: 'Fay', lastName: 'Wu', rank: 6 },
  { email: 'gus@example.com', userIds: ['7'], firstName: 'Gus', lastName: 'Ray', rank: 7 },
];

async function filesIn(dir: string): Promise<string[]> {
  return existsSync(dir) ? (await readdir(dir)).sort() : [];
}

runConnectorConformance('file', async () => {
  const baseDir = await mkdtemp(join(tmpdir(), 'file-conformance-'));
  const config: FileConfig = fileConfigSchema.parse({ connector: 'file', dir: 'audiences' });
  const dir = join(baseDir, 'audiences');
  return {
    connector: fileConnector,
    config,
    context: { env: {}, logger: silentLogger, baseDir },
    members,
    async audienceEmails(audience) {
      const rows = parse<{ email: string }>(await readFile(audience.id, 'utf8'), { columns: true });
      return rows.map((row) => row.email);
    },
    // Files are the only writes: the directory itself counts as one.
    writes: () => (existsSync(dir) ? 1 + readdirSync(dir).length : 0),
    cleanup: () => rm(baseDir, { recursive: true, force: true }),
  };
});


describe('file connector', () => {
  let baseDir: string;
  const spec = { name: 'winter-boots ITEM_ID = "B07"', campaign: 'winter-boots', query: 'ITEM_ID = "B07"', runId: 'run-1' };
  const config = fileConfigSchema.parse({ connector: 'file', dir: 'out' });
  const open = (): ConnectorSession => fileConnector.open(config, { env: {}, logger: silentLogger, baseDir });

  beforeEach(async () => {
    baseDir = await mkdtemp(join(tmpdir(), 'file-connector-'));
  });
  afterEach(async () => {
    await rm(baseDir, { recursive: true, force: true });
  });

  it('applies the documented defaults and rejects unknown keys', () => {
    expect(fileConfigSchema.parse({ connector: 'file' })).toEqual({ connector: 'file', dir: 'out', name: '{{campaign}}-{{query}}' });
    const result = fileConfigSchema.safeParse({ connector: 'file', folder: 'x' });
    expect(result.success).toBe(false);
  });

  it('turns a rendered name into a safe file stem', () => {
    expect(toFileStem('winter-boots ITEMS.CATEGORY_L1 = "footwear"')).toBe('winter-boots-items-category_l1-footwear');
    expect(toFileStem('Crème brûlée / ../../etc')).toBe('creme-brulee-etc');
    expect(() => toFileStem('"" / ..')).toThrow(/no usable file name/);
  });

  it('writes the CSV with quoted fields and a manifest whose sha256 matches the file', async () => {
    const session = open();
    const report = await syncAudience({ connector: fileConnector, config, session, spec, members: members.slice(0, 4), dryRun: false });
    await session.close?.();
    const csvPath = join(baseDir, 'out', 'winter-boots-item_id-b07.csv');
    expect(report.audience).toEqual({ id: csvPath, name: 'winter-boots-item_id-b07', created: true, location: csvPath });
    const csv = await readFile(csvPath, 'utf8');
    expect(csv).toBe(
      'email,user_id,first_name,last_name,rank,score,merged_user_ids\n' +
        'ana@example.com,1,Ana,Silva,1,0.123457,\n' +
        'bo@example.com,2,Bo,"O\'Neil, Jr.",2,0,17\n' +
        'cy@example.com,3,"Cy ""the guy""",Lee,3,,\n' +
        'di@example.com,4,,,4,,\n',
    );
    const manifest = JSON.parse(await readFile(join(baseDir, 'out', 'winter-boots-item_id-b07.manifest.json'), 'utf8')) as AudienceManifest;
    expect(manifest).toMatchObject({
      campaign: 'winter-boots',
      query: 'ITEM_ID = "B07"',
      runId: 'run-1',
      file: 'winter-boots-item_id-b07.csv',
      counts: { members: 4, added: 4, alreadyMember: 0, removed: 0, skipped: 0, failed: 0 },
      sha256: createHash('sha256').update(csv).digest('hex'),
    });
    expect(Number.isNaN(Date.parse(manifest.generatedAt))).toBe(false);
    expect(await filesIn(join(baseDir, 'out'))).toEqual(['winter-boots-item_id-b07.csv', 'winter-boots-item_id-b07.manifest.json']);
  });

  it('writes name cells that start with a formula character with a leading quote (CSV injection)', async () => {
    const hostile: AudienceMember[] = [
      { email: 'eve@example.com', userIds: ['1'], firstName: '=cmd|calc!A1', lastName: '+SUM(A1:A9)', rank: 1 },
      { email: 'mal@example.com', userIds: ['2'], firstName: '-2+3', lastName: '@SUM(A1)', rank: 2 },
      { email: 'tab@example.com', userIds: ['3'], firstName: '\t=1+1', lastName: '\r=1+1', rank: 3 },
      { email: 'ok@example.com', userIds: ['4'], firstName: 'Ann-Marie', lastName: "O'Neil", rank: 4 },
    ];
    await syncAudience({ connector: fileConnector, config, session: open(), spec, members: hostile, dryRun: false });
    const csv = await readFile(join(baseDir, 'out', 'winter-boots-item_id-b07.csv'), 'utf8');
    const rows = parse<{ first_name: string; last_name: string }>(csv, { columns: true });
    expect(rows.map((row) => [row.first_name, row.last_name])).toEqual([
      ["'=cmd|calc!A1", "'+SUM(A1:A9)"],
      ["'-2+3", "'@SUM(A1)"],
      ["'\t=1+1", "'\r=1+1"],
      ['Ann-Marie', "O'Neil"],
    ]);
    expect(csv.split('\n')[1]).toBe("eve@example.com,1,'=cmd|calc!A1,'+SUM(A1:A9),1,,");
    expect(['=x', '+x', '-x', '@x', '\tx', '\rx', 'x=', ''].map(neutraliseFormula)).toEqual(["'=x", "'+x", "'-x", "'@x", "'\tx", "'\rx", 'x=', '']);
  });

  it('a dry run over an existing file is flagged as a snapshot: every member is written, the file replaced', async () => {
    await syncAudience({ connector: fileConnector, config, session: open(), spec, members, dryRun: false });
    const report = await syncAudience({ connector: fileConnector, config, session: open(), spec, members: members.slice(0, 5), dryRun: true });
    expect(report.snapshot).toBe(true);
    expect(report.audience.created).toBe(false);
    expect(report.plan).toEqual({ add: 5, remove: 0, unchanged: 0, chunks: 1 });
  });

  it('writes byte-identical CSVs when run twice with the same input', async () => {
    const csvPath = join(baseDir, 'out', 'winter-boots-item_id-b07.csv');
    const first = open();
    await syncAudience({ connector: fileConnector, config, session: first, spec, members, dryRun: false });
    const firstBytes = await readFile(csvPath);
    const second = open();
    const report = await syncAudience({ connector: fileConnector, config, session: second, spec: { ...spec, runId: 'run-2' }, members: [...members].reverse(), dryRun: false });
    expect(report.audience.created).toBe(false);
    expect((await readFile(csvPath)).equals(firstBytes)).toBe(true);
  });

  it('abort leaves neither the new file nor a temp file, and keeps the previous snapshot', async () => {
    const csvPath = join(baseDir, 'out', 'winter-boots-item_id-b07.csv');
    await syncAudience({ connector: fileConnector, config, session: open(), spec, members: members.slice(0, 2), dryRun: false });
    const previous = await readFile(csvPath, 'utf8');

    const session = open();
    const audience = await session.ensureAudience(spec, { dryRun: false });
    await session.apply(audience, { add: members, remove: [] });
    expect((await filesIn(join(baseDir, 'out'))).filter((name) => name.endsWith('.tmp'))).toHaveLength(1);
    await session.abort?.(audience);
    expect(await filesIn(join(baseDir, 'out'))).toEqual(['winter-boots-item_id-b07.csv', 'winter-boots-item_id-b07.manifest.json']);
    expect(await readFile(csvPath, 'utf8')).toBe(previous);
  });

  it('a failing sync aborts: the engine removes the temp file and writes nothing', async () => {
    const session = open();
    const failing: ConnectorSession = {
      ...session,
      testConnection: () => session.testConnection(),
      ensureAudience: (s, o) => session.ensureAudience(s, o),
      abort: (a) => session.abort!(a),
      commit: (a, s) => session.commit!(a, s),
      apply: async (audience, batch) => {
        if (batch.add.some((member) => member.rank > 1000)) throw new PermanentError('disk said no');
        return session.apply(audience, batch);
      },
    };
    const many = Array.from({ length: 1500 }, (_, index): AudienceMember => ({ email: `u${index}@example.com`, userIds: [String(index)], rank: index + 1 }));
    await expect(syncAudience({ connector: fileConnector, config, session: failing, spec, members: many, dryRun: false })).rejects.toThrow('disk said no');
    expect(await filesIn(join(baseDir, 'out'))).toEqual([]);
  });

  it('closing a session without commit deletes its temp files', async () => {
    const session = open();
    const audience = await session.ensureAudience(spec, { dryRun: false });
    await session.apply(audience, { add: members.slice(0, 2), remove: [] });
    await session.close?.();
    expect(await filesIn(join(baseDir, 'out'))).toEqual([]);
  });

  it('refuses two segments that render to the same file name', async () => {
    // The template `{{campaign}}` renders the same name for every segment of the campaign.
    const session = open();
    await session.ensureAudience({ ...spec, name: 'winter-boots' }, { dryRun: true });
    await expect(session.ensureAudience({ ...spec, name: 'winter-boots', query: 'ITEM_ID = "C09"' }, { dryRun: true })).rejects.toThrow(
      /both go to .*winter-boots\.csv; put \{\{query\}\}/,
    );
  });

  it('a dry run creates no directory and no file', async () => {
    const report = await syncAudience({ connector: fileConnector, config, session: open(), spec, members, dryRun: true });
    expect(report.plan).toEqual({ add: 7, remove: 0, unchanged: 0, chunks: 1 });
    expect(existsSync(join(baseDir, 'out'))).toBe(false);
  });

  it('testConnection names the directory it can write to', async () => {
    await expect(open().testConnection()).resolves.toBe(`file: can write audiences to ${join(baseDir, 'out')}`);
  });
});
