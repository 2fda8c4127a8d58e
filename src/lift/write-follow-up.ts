/** `affinity-sync simulate-lift`: a follow-up dataset directory for a campaign's holdout assignments. */
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { writeFile } from 'node:fs/promises';
import { loadCampaign } from '../campaign/load-campaign.js';
import { ConfigError } from '../core/errors.js';
import { loadDatasets } from '../datasets/load-datasets.js';
import type { ControlsStore } from '../controls/controls-store.js';
import { campaignDataDir } from '../pipeline/load-campaign-datasets.js';
import { loadAssignments } from './assignments-csv.js';
import { simulateFollowUp } from './simulate-follow-up.js';

/** Options of {@link writeFollowUp}. */
export interface FollowUpRequest {
  campaignFile: string;
  cwd: string;
  outDir: string;
  controlRate: number;
  treatmentRate: number;
  days: number;
  seed: number;
  assignmentsFile?: string;
  store?: ControlsStore;
}

/**
 * Writes `<outDir>/interactions.csv` (USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE) and copies the
 * campaign's items and users files beside it.
 * @throws ConfigError when the campaign has no holdout assignments yet
 */
export async function writeFollowUp(request: FollowUpRequest): Promise<{ file: string; events: number; users: number }> {
  const loaded = await loadCampaign(request.campaignFile, { cwd: request.cwd });
  const campaign = loaded.campaign.name;
  const assignments = await loadAssignments(request, campaign);
  if (assignments.length === 0) {
    throw new ConfigError([{ file: loaded.file, message: `no holdout assignments of campaign "${campaign}" yet: give it a holdout and run it first` }]);
  }
  const datasets = await loadDatasets(campaignDataDir(loaded, { cwd: request.cwd }));
  const events = simulateFollowUp(assignments, datasets.items, request);
  const outDir = resolve(request.cwd, request.outDir);
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, 'interactions.csv');
  await writeFile(file, stringify([['USER_ID', 'ITEM_ID', 'TIMESTAMP', 'EVENT_TYPE'], ...events.map((event) => [event.userId, event.itemId, event.timestamp, event.eventType])]));
  for (const source of [datasets.files.items, datasets.files.users].filter(Boolean)) await copyFile(source, join(outDir, basename(source)));
  return { file, events: events.length, users: new Set(assignments.map((assignment) => assignment.userId)).size };
}
