/**
 * How a run's segments were made, for `runs show` and the history: which model or solution version,
 * which remote jobs. Never a credential.
 */
export type SegmentProvenance =
  | {
      provider: 'local';
      /** SHA-256 of the interaction matrix the model was trained on (see `matrixFingerprint`). */
      modelFingerprint: string;
      /** `trained` in this run, or loaded from the campaign's `model` file. */
      modelSource: 'trained' | 'file';
      /** The model file, when the campaign names one. */
      modelFile?: string;
      /** When the model was trained (ISO 8601). */
      trainedAt: string;
      /** Engine hyperparameters (RP3beta α, β, neighbours…, attribute prior γ). */
      hyperparameters: Record<string, number>;
    }
  | {
      provider: 'personalize';
      solutionVersionArn: string;
      /** ARNs of the run's batch segment jobs, by part. */
      batchSegmentJobArns: string[];
      filterArn?: string;
    };
