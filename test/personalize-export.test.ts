import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

const tiny = join(import.meta.dirname, 'fixtures', 'personalize', 'tiny');
let out: string;

beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'personalize-export-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('affinity-sync personalize export', () => {
  it('writes import CSVs and Avro schemas, without personal data or ground truth, and warns about what Personalize would reject', async () => {
    const { code, stdout, stderr } = await runCli(['personalize', 'export', '--data', tiny, '--out', out], { env: {} });

    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['interactions-schema.json', 'interactions.csv', 'items-schema.json', 'items.csv', 'users-schema.json', 'users.csv']);
    expect(await readFile(join(out, 'interactions.csv'), 'utf8')).toBe(
      'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu1,i1,1731715203,View\nu1,i2,1731715210,Purchase\nu2,i1,1731715300,View\nu3,i3,1731715400,View\nu3,i3,1731715401,AddToCart\n',
    );
    expect(await readFile(join(out, 'items.csv'), 'utf8')).toBe(
      'ITEM_ID,CATEGORY_L1,SKU,PROMOTED,PRICE,PRODUCT_DESCRIPTION\n' +
        'i1,footwear|outdoors,SKU-1,N,49.99,"Light trail shoe, with a ""grippy"" sole."\n' +
        'i2,footwear,SKU-2,N,19.5,A canvas slip-on for warm days.\n' +
        'i3,jewelry,SKU-3,N,5,Pearl earrings.\n',
    );
    expect(await readFile(join(out, 'users.csv'), 'utf8')).toBe('USER_ID,AGE,GENDER,COUNTRY\nu1,31,F,US\nu2,58,M,US\nu3,24,F,US\n');
    expect(JSON.parse(await readFile(join(out, 'interactions-schema.json'), 'utf8'))).toEqual({
      type: 'record',
      name: 'Interactions',
      namespace: 'com.amazonaws.personalize.schema',
      fields: [
        { name: 'USER_ID', type: 'string' },
        { name: 'ITEM_ID', type: 'string' },
        { name: 'TIMESTAMP', type: 'long' },
        { name: 'EVENT_TYPE', type: 'string' },
      ],
      version: '1.0',
    });
    const items = JSON.parse(await readFile(join(out, 'items-schema.json'), 'utf8')) as { fields: unknown[] };
    expect(items.fields).toEqual([
      { name: 'ITEM_ID', type: 'string' },
      { name: 'CATEGORY_L1', type: ['null', 'string'], categorical: true },
      { name: 'SKU', type: ['null', 'string'], categorical: true },
      { name: 'PROMOTED', type: ['null', 'string'], categorical: true },
      { name: 'PRICE', type: ['null', 'float'] },
      { name: 'PRODUCT_DESCRIPTION', type: ['null', 'string'], textual: true },
    ]);
    const users = JSON.parse(await readFile(join(out, 'users-schema.json'), 'utf8')) as { fields: unknown[] };
    expect(users.fields).toEqual([
      { name: 'USER_ID', type: 'string' },
      { name: 'AGE', type: ['null', 'int'] },
      { name: 'GENDER', type: ['null', 'string'], categorical: true },
      { name: 'COUNTRY', type: ['null', 'string'], categorical: true },
    ]);
    const warnings = stdout.split('\n').filter((line) => line.startsWith('warning: '));
    expect(warnings).toEqual([
      'warning: interactions: 5 interactions; Personalize needs at least 1000 to train',
      'warning: interactions: 2 users have 2 or more interactions; Personalize needs at least 25',
      'warning: items.SKU: has a distinct value for every item (3); Item-Attribute-Affinity cannot use it (exclude it from training, or declare it textual)',
      'warning: items.PROMOTED: has one value ("N") for every item; Item-Attribute-Affinity cannot use it (exclude it from training, or declare it textual)',
      'warning: users.COUNTRY: has one value ("US") for every user; it tells users apart poorly (consider leaving it out)',
    ]);
  });

  it('fails with exit code 2 and no output files for a missing dataset directory', async () => {
    const { code, stderr } = await runCli(['personalize', 'export', '--data', join(out, 'nowhere'), '--out', join(out, 'files')], { env: {} });

    expect(code).toBe(2);
    expect(stderr).toBe(`error: dataset directory ${join(out, 'nowhere')} does not exist or is not a directory\n`);
    expect(await readdir(out)).toEqual([]);
  });
});
