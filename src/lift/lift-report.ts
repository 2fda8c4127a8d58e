/**
 * `affinity-sync lift`: the holdout assignments of a campaign (from the state store or a holdout
 * export) measured against an interactions dataset (the campaign's, or a follow-up one).
 */
import { loadCampaign } from '../campaign/load-campaign.js';
import { ConfigError } from '../core/errors.js';
import { loadDatasets } from '../datasets/load-datasets.js';
import type { ControlsStore } from '../controls/controls-store.js';
import { campaignDataDir } from '../pipeline/load-campaign-datasets.js';
import { loadAssignments } from './assignments-csv.js';
import { measureLift, type SegmentLift } from './measure-lift.js';

/** What `lift` prints (also as `--json`). */
export interface LiftReport {
  campaign: string;
  /** Dataset directory the conversions were read from. */
  data: string;
  /** EVENT_TYPE counted as a conversion; undefined = any event. */
  event?: string;
  /** ISO date: only events from then on counted. */
  since?: string;
  segments: SegmentLift[];
}

/** Options of {@link buildLiftReport}. */
export interface LiftRequest {
  campaignFile: string;
  cwd: string;
  /** Dataset directory; default: the campaign's `data`. */
  dataDir?: string;
  /** `any` counts every event type. @defaultValue `Purchase` */
  event: string;
  since?: Date;
  /** A holdout export to read instead of the state store. */
  assignmentsFile?: string;
  store?: ControlsStore;
}

/**
 * Builds the lift report.
 * @throws ConfigError when the campaign has no assignments yet, the event type is not in the data,
 *   or a segment's query does not match the items dataset
 */
export async function buildLiftReport(request: LiftRequest): Promise<LiftReport> {
  const loaded = await loadCampaign(request.campaignFile, { cwd: request.cwd });
  const campaign = loaded.campaign.name;
  const assignments = await loadAssignments(request, campaign);
  if (assignments.length === 0) {
    throw new ConfigError([
      {
        file: request.assignmentsFile ?? loaded.file,
        message: `no holdout assignments of campaign "${campaign}"${request.assignmentsFile ? ' in this file' : ' in the state store'}: give the campaign a holdout (holdout: { share: 0.1 }) and run it first`,
      },
    ]);
  }
  const dir = campaignDataDir(loaded, { dataDir: request.dataDir, cwd: request.cwd });
  const datasets = await loadDatasets(dir);
  const event = request.event === 'any' ? undefined : request.event;
  if (event !== undefined && !datasets.interactions.eventTypes.includes(event)) {
    const found = datasets.interactions.eventTypes.filter(Boolean);
    throw new ConfigError([
      { field: '--event', message: `no "${event}" events in ${datasets.files.interactions}; event types found: ${found.join(', ') || 'none (no EVENT_TYPE column)'}; --event any counts every event` },
    ]);
  }
  return {
    campaign,
    data: dir,
    ...(event !== undefined ? { event } : {}),
    ...(request.since ? { since: request.since.toISOString().slice(0, 10) } : {}),
    segments: measureLift(assignments, datasets.interactions, datasets.items, { ...(event !== undefined ? { event } : {}), ...(request.since ? { since: request.since } : {}) }),
  };
}
