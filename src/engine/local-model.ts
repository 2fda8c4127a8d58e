/**
 * Training and reuse of the local engine's model: train from interactions, or reuse a saved model
 * file while its data fingerprint matches the interactions.
 */
import { existsSync } from 'node:fs';
import type { Logger } from '../core/logger.js';
import type { Interactions } from '../datasets/datasets.js';
import { matrixFingerprint } from './matrix-fingerprint.js';
import { loadModelFile, saveModelFile, type SavedModel } from './model-file.js';
import { trainRp3beta, type Rp3betaParams } from './rp3beta.js';
import { buildUserItemMatrix, type UserItemMatrix } from './user-item-matrix.js';

/**
 * γ, weight of the content prior in attribute scores. 0: the pure pseudo-item score X·W·1_A. On the
 * bundled retail data (`affinity-sync evaluate`, splits P and F, warm and cold-item queries) every
 * γ > 0 tried (0.25, 0.5) lost NDCG@25 and recall@1%: the prior X·1_A mostly re-adds user
 * activity, which X·W·1_A already carries. `affinity-sync evaluate --tune` / `train --tune` tune it
 * on a validation split; see docs/segment-quality.md.
 */
export const defaultAttributePriorWeight = 0;

/** Options of {@link trainLocalModel}. */
export interface TrainLocalModelOptions {
  /** RP3beta hyperparameters; defaults from `rp3betaParamsSchema`. */
  params?: Partial<Rp3betaParams>;
  /** γ of attribute scores. @defaultValue {@link defaultAttributePriorWeight} */
  attributePriorWeight?: number;
  /** Worker threads for training. @defaultValue one per core for large inputs */
  threads?: number;
}

/** A model with the matrix it serves. */
export interface TrainedLocalModel {
  matrix: UserItemMatrix;
  saved: SavedModel;
}

/** Builds the binary matrix of `interactions` and trains the default model on it. */
export async function trainLocalModel(interactions: Interactions, options: TrainLocalModelOptions = {}): Promise<TrainedLocalModel> {
  const matrix = buildUserItemMatrix(interactions);
  return trainOnMatrix(matrix, matrixFingerprint(matrix, interactions.userIds, interactions.itemIds), options);
}

async function trainOnMatrix(matrix: UserItemMatrix, fingerprint: string, options: TrainLocalModelOptions): Promise<TrainedLocalModel> {
  const model = await trainRp3beta(matrix, options.params, options.threads !== undefined ? { threads: options.threads } : {});
  return {
    matrix,
    saved: {
      model,
      fingerprint,
      numUsers: matrix.numUsers,
      engine: { attributePriorWeight: options.attributePriorWeight ?? defaultAttributePriorWeight },
      createdAt: new Date().toISOString(),
    },
  };
}

/** Options of {@link obtainLocalModel}. */
export interface ObtainLocalModelOptions extends TrainLocalModelOptions {
  /** A model file to reuse; when it does not exist yet, the trained model is saved there. */
  modelFile?: string;
  logger?: Logger;
}

/**
 * The model for `interactions`: the one in `modelFile` when its data fingerprint matches,
 * else a freshly trained one (saved to `modelFile` when that file did not exist).
 * @throws ConfigError when `modelFile` exists but is corrupt, truncated or of another format.
 */
export async function obtainLocalModel(
  interactions: Interactions,
  options: ObtainLocalModelOptions = {},
): Promise<TrainedLocalModel & { source: 'file' | 'trained' }> {
  const { modelFile, logger } = options;
  if (modelFile !== undefined && existsSync(modelFile)) {
    const saved = await loadModelFile(modelFile);
    const matrix = buildUserItemMatrix(interactions);
    const fingerprint = matrixFingerprint(matrix, interactions.userIds, interactions.itemIds);
    if (saved.fingerprint === fingerprint && saved.numUsers === matrix.numUsers && saved.model.numItems === matrix.numItems) {
      return { matrix, saved, source: 'file' };
    }
    logger?.warn(
      { modelFile },
      'the model file was trained on other data; retraining in memory (run `affinity-sync train` to refresh the file)',
    );
    return { ...(await trainOnMatrix(matrix, fingerprint, options)), source: 'trained' };
  }
  const trained = await trainLocalModel(interactions, options);
  if (modelFile !== undefined) {
    await saveModelFile(modelFile, trained.saved);
    logger?.info({ modelFile }, 'saved the trained model');
  }
  return { ...trained, source: 'trained' };
}
