/**
 * Explains a campaign's segments for one user: loads the campaign and its datasets the way a run
 * does, plans its queries, trains (or reuses) the local engine's model, and asks {@link explainUser}.
 */
import { existsSync } from 'node:fs';
import type { Campaign } from '../campaign/campaign-schema.js';
import { loadCampaign } from '../campaign/load-campaign.js';
import { planQueries } from '../campaign/plan-queries.js';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { loadDatasets } from '../datasets/load-datasets.js';
import { obtainLocalModel } from '../engine/local-model.js';
import { localModelFile, localProviderConfigSchema } from '../segments/local-provider.js';
import { campaignDataDir } from '../pipeline/load-campaign-datasets.js';
import { assertKnownUser, explainUser, type ControlPlacement, type UserExplanation } from './explain-user.js';
import { resolve, join } from 'node:path';
import { campaignUsers } from '../identity/campaign-users.js';
import { prepareCampaignControls, type CampaignControls } from '../controls/campaign-controls.js';
import { controlsStoreOf } from '../controls/controls-store-of.js';
import type { PlannedQuery } from '../campaign/plan-queries.js';
import { openStateStore, SQLITE_STATE_FILE, STATE_URL_ENV } from '../state/open-state-store.js';
import type { StateStore } from '../state/state-store.js';

/** What to explain. */
export interface ExplainCampaignUserOptions {
  /** Campaign file (YAML or JSON), relative to `cwd`. */
  campaignFile: string;
  userId: string;
  /** Only the segment with this label (an item's name, a category value) or query text; case-insensitive. */
  segment?: string;
  /** Dataset directory that overrides the campaign's `data`. */
  dataDir?: string;
  cwd: string;
  /** Contributing items listed per segment. @defaultValue 5 */
  topItems?: number;
  logger?: Logger;
  /** Suppression files, `AFFINITY_FREQUENCY_CAP` and `AFFINITY_STATE_URL` come from it. @defaultValue `process.env` */
  env?: NodeJS.ProcessEnv;
  /**
   * Directory of the SQLite state store (relative to `cwd`): frequency caps and exclusivity count
   * the placements recorded there. Only read, and only when it exists (or AFFINITY_STATE_URL is set).
   */
  stateDir?: string;
}

/** An explanation with the campaign it is about. */
export interface CampaignUserExplanation extends UserExplanation {
  campaign: { name: string; type: Campaign['type']; file: string; provider: string; dataDir: string };
}

/**
 * Explains every segment (or the one named by `segment`) of a campaign for one user, with the
 * local engine; a campaign with `provider: personalize` is explained with the local engine too.
 * A local `model` file is reused when it exists and matches the data; explain never writes it.
 * @throws ConfigError for a bad campaign file, an unknown USER_ID or segment label; DataError for bad datasets.
 */
export async function explainCampaignUser(options: ExplainCampaignUserOptions): Promise<CampaignUserExplanation> {
  const loaded = await loadCampaign(options.campaignFile, { cwd: options.cwd });
  const { campaign } = loaded;
  const dataDir = campaignDataDir(loaded, { dataDir: options.dataDir, cwd: options.cwd });
  const datasets = await loadDatasets(dataDir);
  const planned = await planQueries(loaded, datasets);
  const wanted = options.segment?.trim().toLowerCase();
  const segments =
    wanted === undefined
      ? planned
      : planned.filter(({ label, query }) =>
          [label, 'itemId' in query ? query.itemId : query.itemAttributes].some((text) => text.toLowerCase() === wanted),
        );
  if (segments.length === 0) {
    throw new ConfigError([
      {
        field: '--segment',
        message: `no segment of ${options.campaignFile} is labelled "${options.segment ?? ''}"; its segments are: ${planned.map(({ label }) => JSON.stringify(label)).join(', ')}`,
      },
    ]);
  }
  // Check the USER_ID before the (longer) training.
  assertKnownUser(datasets, options.userId);

  const env = options.env ?? process.env;
  const users = datasets.usersMissing && !campaign.users?.postgres ? datasets.users : await campaignUsers(loaded, datasets, env);
  const state = await openExistingStateStore(env, resolve(options.cwd, options.stateDir ?? '.affinity-sync'));
  let explanation: UserExplanation;
  try {
    // The controls as a run applies them (a dry run: nothing is recorded).
    const controls = await prepareCampaignControls(loaded, users, planned.map(({ label }) => label), {
      env,
      cwd: options.cwd,
      dryRun: true,
      store: controlsStoreOf(state),
    });
    const segment = campaign.segment;
    const local = segment.provider === 'local' ? localProviderConfigSchema.parse(segment) : undefined;
    const modelFile = local && localModelFile(local, loaded.baseDir);
    const { matrix, saved } = await obtainLocalModel(datasets.interactions, {
      ...(modelFile !== undefined && existsSync(modelFile) ? { modelFile } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
    explanation = explainUser({
      datasets,
      matrix,
      model: saved.model,
      attributePriorWeight: saved.engine.attributePriorWeight,
      segments,
      userId: options.userId,
      numResults: segment.numResults,
      excludeInteracted: local?.excludeInteracted ?? true,
      ...(options.topItems !== undefined ? { topItems: options.topItems } : {}),
      placeUser: (entry, ranking) => placeUser(controls, entry, ranking, options.userId),
    });
  } finally {
    await state?.close();
  }
  return {
    ...explanation,
    campaign: { name: campaign.name, type: campaign.type, file: options.campaignFile, provider: campaign.segment.provider, dataDir },
  };
}

/** The state store when there is one to read (explain never creates one). */
async function openExistingStateStore(env: NodeJS.ProcessEnv, stateDir: string): Promise<StateStore | undefined> {
  if (!env[STATE_URL_ENV]?.trim() && !existsSync(join(stateDir, SQLITE_STATE_FILE))) return undefined;
  return openStateStore({ env, stateDir });
}

/** Where the controls put `userId` in a segment ranked `ranking`: synced, held out, or left out (and why). */
function placeUser(controls: CampaignControls, segment: PlannedQuery, ranking: readonly string[], userId: string): ControlPlacement {
  const selected = controls.select({ label: segment.label, query: JSON.stringify(segment.query) }, ranking);
  if (selected.treatment.includes(userId)) return { synced: true };
  if (selected.control.includes(userId)) return { synced: false, control: { control: 'holdout' } };
  const reason = controls.leftOutReason(segment.label, userId);
  return reason ? { synced: false, control: reason } : { synced: false };
}
