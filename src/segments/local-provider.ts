/**
 * The `local` segment provider: segments from the local engine (RP3beta on the campaign's
 * interactions), in the shape of Amazon Personalize batch segment job output.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { applyAffinityFloor } from '../controls/affinity-floor.js';
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
    /**
     * `none`: a segment stops at the last user with a positive affinity score (fewer than
     * `numResults` when fewer users have any affinity); `activity`: it is padded up to `numResults`
     * with the most active users whose score is 0. The run report says how many had affinity and
     * how many were padded.
     * @defaultValue `none`
     */
    fill: z.enum(['none', 'activity']).default('none'),
    /**
     * Keep only users whose score is at or above this percentile (0–100, exclusive) of the positive
     * scores of the query: 90 keeps about the top 10 % of the users with any affinity.
     */
    minPercentile: z.number().gt(0, 'expected a percentile between 0 and 100 (exclusive)').lt(100, 'expected a percentile between 0 and 100 (exclusive)').optional(),
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
      // The percentile is taken over every user with a positive score, so all candidates are ranked.
      const wanted = options.numResults + (options.reserve ?? 0);
      const depth = this.config.minPercentile === undefined ? wanted : Math.max(wanted, segmenter.engine.candidateCount);
      const served = segmenter.segment(query, { numResults: depth, excludeInteracted });
      const floor = applyAffinityFloor(served.result.output.usersList, served.scores, {
        numResults: wanted,
        fill: this.config.fill,
        ...(this.config.minPercentile !== undefined ? { minPercentile: this.config.minPercentile } : {}),
      });
      // With fill: none, a query nothing is known of (its activity fallback) gives an empty segment.
      const note =
        served.note && floor.counts.withAffinity === 0 && this.config.fill === 'none'
          ? served.note.replace(/; ranked by user activity$/, '; no user has any affinity, so the segment is empty (segment.fill: activity ranks by user activity instead)')
          : served.note;
      if (note) {
        this.context.logger.info({ query: hashId(JSON.stringify(query)) }, note);
        options.onNote?.(query, note);
      }
      results.push(
        served.result.error
          ? served.result
          : { ...served.result, output: { usersList: floor.usersList }, scores: floor.scores, affinity: floor.counts },
      );
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
