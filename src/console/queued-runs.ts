/**
 * Runs waiting or running in the BullMQ queue right now, per campaign (runs, not jobs: a run's
 * segment and sync child jobs are not counted).
 */
import type { CampaignQueue } from '../queue/campaign-queue.js';
import { collectRunStatus } from '../queue/run-status.js';
import type { QueuedRuns } from './pages/campaigns-page.js';

export async function queuedRunsByCampaign(campaignQueue: CampaignQueue): Promise<Map<string, QueuedRuns>> {
  const statuses = await collectRunStatus(campaignQueue, { runsPerCampaign: 1000 });
  const byCampaign = new Map<string, QueuedRuns>();
  for (const status of statuses) {
    // A deferred run (a destination waiting for a spent quota to reset) waits in the queue too.
    const queued = status.runs.filter((run) => run.state === 'queued' || run.state === 'deferred').length;
    const running = status.runs.filter((run) => run.state === 'running').length;
    if (queued + running > 0) byCampaign.set(status.campaign, { queued, running });
  }
  return byCampaign;
}
