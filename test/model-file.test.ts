import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/core/errors.js';
import { silentLogger } from '../src/core/logger.js';
import { obtainLocalModel, trainLocalModel } from '../src/engine/local-model.js';
import { loadModelFile, modelFormatVersion, saveModelFile } from '../src/engine/model-file.js';
import { localProviderConfigSchema, localProviderDefinition } from '../src/segments/local-provider.js';
import { interactionsOf, twoGroupDatasets, twoGroupRows } from './fixtures/two-taste-groups.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'affinity-model-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function savedTwoGroupModel(file: string) {
  const trained = await trainLocalModel(twoGroupDatasets().interactions, { threads: 1 });
  await saveModelFile(file, trained.saved);
  return trained;
}

function provider(datasets = twoGroupDatasets(), model = 'two-groups.model') {
  return localProviderDefinition.create(localProviderConfigSchema.parse({ provider: 'local', model }), {
    datasets: () => Promise.resolve(datasets),
    env: {},
    logger: silentLogger,
    baseDir: dir,
    stateDir: dir,
  });
}

describe('model files', () => {
  it('round-trips the model, its fingerprint and hyperparameters', async () => {
    const file = join(dir, 'm.model');
    const { saved } = await savedTwoGroupModel(file);
    const loaded = await loadModelFile(file);
    expect(loaded.fingerprint).toBe(saved.fingerprint);
    expect(loaded.model.params).toEqual({ alpha: 0.5, beta: 0.5, neighbours: 200, maxItemsPerUser: 500 });
    expect(Array.from(loaded.model.colPtr)).toEqual(Array.from(saved.model.colPtr));
    expect(Array.from(loaded.model.rows)).toEqual(Array.from(saved.model.rows));
    expect(Array.from(loaded.model.vals)).toEqual(Array.from(saved.model.vals));
    expect(loaded.engine).toEqual({ attributePriorWeight: 0 });
  });

  it('refuses a corrupt file (one flipped byte) with the checksum named', async () => {
    const file = join(dir, 'm.model');
    await savedTwoGroupModel(file);
    const bytes = readFileSync(file);
    bytes[bytes.length - 3]! ^= 0xff;
    writeFileSync(file, bytes);
    await expect(loadModelFile(file)).rejects.toThrow(ConfigError);
    await expect(loadModelFile(file)).rejects.toThrow(/corrupt \(checksum mismatch\)/);
  });

  it('refuses a truncated file', async () => {
    const file = join(dir, 'm.model');
    await savedTwoGroupModel(file);
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 16));
    await expect(loadModelFile(file)).rejects.toThrow(/truncated/);
    writeFileSync(file, bytes.subarray(0, 20));
    await expect(loadModelFile(file)).rejects.toThrow(/truncated \(header\)/);
  });

  it('refuses another format version and files that are not models', async () => {
    const file = join(dir, 'm.model');
    await savedTwoGroupModel(file);
    const text = readFileSync(file).toString('latin1').replace(`"formatVersion":${modelFormatVersion}`, '"formatVersion":9');
    writeFileSync(file, Buffer.from(text, 'latin1'));
    await expect(loadModelFile(file)).rejects.toThrow(/format version 9, this affinity-sync reads version 1/);
    writeFileSync(file, 'USER_ID,ITEM_ID\n1,2\n');
    await expect(loadModelFile(file)).rejects.toThrow(/not an affinity-sync model file/);
  });

  it('reuses a model while the fingerprint matches and retrains when the data changed', async () => {
    const file = join(dir, 'm.model');
    await savedTwoGroupModel(file);
    const same = await obtainLocalModel(twoGroupDatasets().interactions, { modelFile: file });
    expect(same.source).toBe('file');
    const changed = interactionsOf([...twoGroupRows(), ['k2', 'tent']]);
    const retrained = await obtainLocalModel(changed, { modelFile: file, threads: 1 });
    expect(retrained.source).toBe('trained');
    const fresh = await trainLocalModel(changed, { threads: 1 });
    expect(retrained.saved.fingerprint).toBe(fresh.saved.fingerprint);
    expect(Array.from(retrained.saved.model.vals)).toEqual(Array.from(fresh.saved.model.vals));
  });
});

describe('local provider with a model file', () => {
  it('saves the model on the first run and gives identical segments from it on the next', async () => {
    const queries = [{ itemId: 'tent' }, { itemAttributes: 'ITEMS.CATEGORY = "kitchen"' }];
    const first = await provider().generate(queries, { numResults: 6 });
    const saved = await loadModelFile(join(dir, 'two-groups.model'));
    expect(saved.model.numItems).toBe(10);
    const second = await provider().generate(queries, { numResults: 6 });
    expect(second).toEqual(first);
  });

  it('fails the job with a ConfigError, never with segments, when the model file is damaged', async () => {
    await savedTwoGroupModel(join(dir, 'two-groups.model'));
    writeFileSync(join(dir, 'two-groups.model'), readFileSync(join(dir, 'two-groups.model')).subarray(0, 100));
    const run = provider().generate([{ itemId: 'tent' }], { numResults: 3 });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow(/two-groups\.model/);
  });
});
