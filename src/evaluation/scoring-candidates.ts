/**
 * Candidate scorings of the RP3beta engine that separate affinity from activity
 * (`src/engine/recency-weights.ts`, `src/engine/shrunk-share.ts`), for `evaluate --models`.
 * Their settings were chosen on Online Retail, split P (docs/segment-quality.md, "Real data").
 */
import { rp3betaCandidate, type CandidateModel, type EngineScoring } from './evaluate-engine.js';

/** A named scoring: the engine options and γ it adds to RP3beta with its default hyperparameters. */
export interface ScoringPreset {
  attributePriorWeight: number;
  scoring: EngineScoring;
}

/** The scorings `evaluate --models` accepts beside `rp3beta`. */
export const scoringPresets = {
  /** Each user's history decayed with a half-life of a quarter of it. */
  'rp3beta-recency': { attributePriorWeight: 0, scoring: { recencyHalfLife: 0.25 } },
  /** Shrunk share of the history (m = 3) that points at the query, collaborative and content halves. */
  'rp3beta-share': { attributePriorWeight: 0.5, scoring: { shareShrinkage: 3 } },
  /** Both: the shrunk share (m = 5) of the recency-decayed history. */
  'rp3beta-recency-share': { attributePriorWeight: 0, scoring: { recencyHalfLife: 0.25, shareShrinkage: 5 } },
} satisfies Record<string, ScoringPreset>;

export type ScoringPresetName = keyof typeof scoringPresets;

/** RP3beta (default hyperparameters) served with the scoring `name`. */
export function scoringCandidate(name: ScoringPresetName): CandidateModel {
  const preset: ScoringPreset = scoringPresets[name];
  const base = rp3betaCandidate({}, preset.attributePriorWeight, name);
  return { name, train: async (matrix) => ({ ...(await base.train(matrix)), scoring: preset.scoring }) };
}
