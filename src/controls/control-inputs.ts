/**
 * What a campaign's marketing controls read before a run, and every problem with it: the one check
 * `run` (through {@link prepareCampaignControls}) and `validate` share, so a campaign `validate`
 * passes is one whose controls `run` accepts.
 */
import { basename, join } from 'node:path';
import type { LoadedCampaign } from '../campaign/load-campaign.js';
import { ConfigError, type InputIssue } from '../core/errors.js';
import type { FrequencyCapConfig } from './controls-schema.js';
import { siblingCampaigns, type CampaignRivalry } from './sibling-campaigns.js';
import { readSuppressionLists, suppressionSources, type SuppressionList } from './suppression-lists.js';

/** Environment variable of the default frequency cap of every campaign, e.g. `3/7d`. */
export const FREQUENCY_CAP_VARIABLE = 'AFFINITY_FREQUENCY_CAP';

/** The default frequency cap from {@link FREQUENCY_CAP_VARIABLE}, e.g. `3/7d`. @throws ConfigError naming the variable */
export function frequencyCapFromEnv(env: NodeJS.ProcessEnv): FrequencyCapConfig | undefined {
  const raw = env[FREQUENCY_CAP_VARIABLE]?.trim();
  if (!raw) return undefined;
  const match = /^(\d+)\s*\/\s*(\d+\s*[hdw])$/.exec(raw);
  if (!match || Number(match[1]) < 1) {
    throw new ConfigError([{ field: FREQUENCY_CAP_VARIABLE, message: `expected <maxAudiences>/<window> such as 3/7d, got "${raw}"` }]);
  }
  return { maxAudiences: Number(match[1]), window: match[2]!.replace(/\s+/g, '') };
}

/** The inputs of a campaign's controls, read, with every problem found. */
export interface ControlInputs {
  /** Problems, each naming the campaign file and field; empty when the controls can run. */
  issues: InputIssue[];
  /** The suppression lists (global first), read. */
  lists: SuppressionList[];
  /** The other campaigns of the campaign's directory, by name. */
  others: Map<string, CampaignRivalry>;
  /** The campaign's `frequencyCap`, else the default of {@link FREQUENCY_CAP_VARIABLE}. */
  cap: FrequencyCapConfig | undefined;
}

/**
 * Reads and checks what the controls of `loaded` need: every suppression file (it exists, has an
 * EMAIL or USER_ID column), every `exclusiveWith` name (a campaign of the same directory), every
 * `holdout.segments` label (one of `labels`; not checked when `labels` is undefined, i.e. not known
 * without the data), and `AFFINITY_FREQUENCY_CAP`.
 * @param labels - labels of the campaign's segments, when known
 * @param cwd - `AFFINITY_SUPPRESSION_FILE` resolves against it
 */
export async function readControlInputs(
  loaded: LoadedCampaign,
  labels: readonly string[] | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<ControlInputs> {
  const { campaign } = loaded;
  const issues: InputIssue[] = [];
  let cap: FrequencyCapConfig | undefined = campaign.frequencyCap;
  try {
    cap ??= frequencyCapFromEnv(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues.push(...error.issues);
  }
  // `file` is as the caller named it (relative to its cwd): the campaign itself is `baseDir/<its name>`.
  const others = await siblingCampaigns(loaded.baseDir, join(loaded.baseDir, basename(loaded.file)));
  for (const [index, name] of (campaign.exclusiveWith ?? []).entries()) {
    if (!others.has(name)) {
      issues.push({ file: loaded.file, field: `exclusiveWith[${index}]`, message: `no campaign "${name}" in ${loaded.baseDir}; expected one of ${[...others.keys()].join(', ') || '(none)'}` });
    }
  }
  if (labels !== undefined) {
    for (const label of Object.keys(campaign.holdout?.segments ?? {})) {
      if (!labels.includes(label)) issues.push({ file: loaded.file, field: `holdout.segments.${label}`, message: `no segment "${label}" in this run; expected one of ${labels.join(', ')}` });
    }
  }
  let lists: SuppressionList[] = [];
  try {
    lists = await readSuppressionLists(await suppressionSources(campaign.suppress, loaded.baseDir, env, cwd), loaded.file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues.push(...error.issues);
  }
  return { issues, lists, others, cap };
}
