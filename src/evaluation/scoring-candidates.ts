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
  /** The shrunk share of each user's history (m = 3) that points at the query, activity exponent κ = 0.75. */
  'rp3beta-share': { attributePriorWeight: 0, scoring: { shareShrinkage: 3, shareActivityExponent: 0.75 } },
  /** Both: the shrunk share of the recency-decayed history. */
  'rp3beta-recency-share': { attributePriorWeight: 0, scoring: { recencyHalfLife: 0.25, shareShrinkage: 3, shareActivityExponent: 0.75 } },
} satisfies Record<string, ScoringPreset>;

export type ScoringPresetName = keyof typeof scoringPresets;

/** RP3beta (default hyperparameters) served with the scoring `name`. */
export function scoringCandidate(name: ScoringPresetName): CandidateModel {
  const preset: ScoringPreset = scoringPresets[name];
  const base = rp3betaCandidate({}, preset.attributePriorWeight, name);
  return { name, train: async (matrix) => ({ ...(await base.train(matrix)), scoring: preset.scoring }) };
}
