/**
 * The `local` segment provider: segments from the local engine (RP3beta on the campaign's
 * interactions), in the shape of Amazon Personalize batch segment job output.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { hashId } from '../core/logger.js';
import type { Interactions } from '../datasets/datasets.js';
import { obtainLocalModel } from '../engine/local-model.js';
import { LocalSegmenter } from '../engine/local-segmenter.js';
import type { ProviderContext, SegmentProviderDefinition } from './provider-definition.js';
import type { SegmentProvenance } from './segment-provenance.js';
import type { SegmentJobOptions, SegmentProvider, SegmentQuery, SegmentResult } from './segment-provider.js';

/** The campaign's `segment` block for `provider: local`. */
export const localProviderConfigSchema = z
  .object({
    provider: z.literal('local'),
    /**
     * Users per segment (Personalize `numResults`).
     * @defaultValue 25
     */
    numResults: z.number().int().min(1).default(25),
    /**
     * Item-Affinity: leave out users who already interacted with the item.
     * @defaultValue true
     */
    excludeInteracted: z.boolean().default(true),
    /**
     * A saved model file (`affinity-sync train --model FILE`), relative to the campaign file. It is
     * reused while its data fingerprint matches the interactions, else the model is retrained in
     * memory; when the file does not exist, the trained model is saved there.
     */
    model: z.string().min(1).optional(),
  })
  .strict();
export type LocalProviderConfig = z.infer<typeof localProviderConfigSchema>;

/** Absolute path of the campaign's `model` file (relative to the campaign file's directory), if it names one. */
export function localModelFile(config: LocalProviderConfig, baseDir: string): string | undefined {
  return config.model === undefined ? undefined : resolve(baseDir, config.model);
}

type LocalModel = Awaited<ReturnType<typeof obtainLocalModel>>;

/**
 * Models by interactions object, then by model file ('' for none): campaigns of one run that share
 * their datasets (`loadCampaignDatasets`) share one training. Dropped with the datasets.
 */
const modelsByInteractions = new WeakMap<Interactions, Map<string, Promise<LocalModel>>>();

/** Segments from the local engine. The model is trained (or loaded) once, on the first job. */
export class LocalSegmentProvider implements SegmentProvider {
  readonly id = 'local';
  private segmenter: Promise<LocalSegmenter> | undefined;
  private model: LocalModel | undefined;

  constructor(
    private readonly config: LocalProviderConfig,
    private readonly context: ProviderContext,
  ) {}

  async generate(queries: readonly SegmentQuery[], options: SegmentJobOptions): Promise<SegmentResult[]> {
    this.segmenter ??= this.prepare(options);
    const segmenter = await this.segmenter;
    const excludeInteracted = options.excludeInteracted ?? this.config.excludeInteracted;
    const results: SegmentResult[] = [];
    for (const [index, query] of queries.entries()) {
      options.signal?.throwIfAborted();
      const served = segmenter.segment(query, { numResults: options.numResults, excludeInteracted });
      if (served.note) {
        this.context.logger.info({ query: hashId(JSON.stringify(query)) }, served.note);
        options.onNote?.(query, served.note);
      }
      results.push(served.result);
      options.onProgress?.({ step: 'segments', done: index + 1, total: queries.length });
    }
    return results;
  }

  provenance(): Promise<SegmentProvenance | undefined> {
    if (!this.model) return Promise.resolve(undefined);
    const { saved, source } = this.model;
    const modelFile = localModelFile(this.config, this.context.baseDir);
    const numeric = Object.entries(saved.model.params).filter((entry): entry is [string, number] => typeof entry[1] === 'number');
    return Promise.resolve({
      provider: 'local',
      modelFingerprint: saved.fingerprint,
      modelSource: source,
      ...(modelFile !== undefined ? { modelFile } : {}),
      trainedAt: saved.createdAt,
      hyperparameters: { ...Object.fromEntries(numeric), attributePriorWeight: saved.engine.attributePriorWeight },
    });
  }

  private async prepare(options: SegmentJobOptions): Promise<LocalSegmenter> {
    const datasets = await this.context.datasets();
    options.onProgress?.({ step: 'train', done: 0, total: 1 });
    const modelFile = localModelFile(this.config, this.context.baseDir);
    let models = modelsByInteractions.get(datasets.interactions);
    if (!models) modelsByInteractions.set(datasets.interactions, (models = new Map<string, Promise<LocalModel>>()));
    let model = models.get(modelFile ?? '');
    if (!model) {
      model = obtainLocalModel(datasets.interactions, {
        logger: this.context.logger,
        ...(modelFile !== undefined ? { modelFile } : {}),
      });
      models.set(modelFile ?? '', model);
    }
    this.model = await model;
    const { matrix, saved, source } = this.model;
    options.onProgress?.({ step: 'train', done: 1, total: 1 });
    this.context.logger.info({ source, users: matrix.numUsers, items: matrix.numItems }, 'local engine ready');
    return new LocalSegmenter(datasets.interactions, datasets.items, matrix, saved.model, saved.engine);
  }
}

/** Definition of the `local` provider for the registry (`src/segments/providers.ts`). */
export const localProviderDefinition: SegmentProviderDefinition<LocalProviderConfig> = {
  id: 'local',
  configSchema: localProviderConfigSchema,
  create: (config, context) => new LocalSegmentProvider(config, context),
};
