/**
 * The real pipeline (`src/pipeline/`) behind the queue's {@link CampaignRunPipeline} port.
 */
import { loadCampaigns, type LoadedCampaign } from '../campaign/load-campaign.js';
import { ConfigError } from '../core/errors.js';
import type { CampaignSegments } from '../pipeline/campaign-segments.js';
import { generateCampaignSegments } from '../pipeline/generate-campaign-segments.js';
import { syncCampaignDestination } from '../pipeline/sync-campaign-destination.js';
import type { CampaignRunPipeline } from './campaign-run-pipeline.js';

/** The pipeline `run` uses, step by step. */
export function createDefaultPipeline(): CampaignRunPipeline<LoadedCampaign, CampaignSegments> {
  return {
    async loadCampaign(file) {
      const [loaded] = await loadCampaigns([file]);
      if (!loaded) throw new ConfigError([{ file, message: 'no campaign in this file' }]);
      return loaded;
    },
    async generateSegments(campaign, ctx) {
      const segments = await generateCampaignSegments(campaign, ctx);
      const members = segments.segments.reduce((sum, segment) => sum + segment.resolved.members.length, 0);
      return { done: true, segments, summary: { segments: segments.segments.length, members } };
    },
    parseSegments(json) {
      return json as CampaignSegments;
    },
    syncDestination(campaign, segments, destinationIndex, ctx, progressFor) {
      return syncCampaignDestination(campaign, segments, destinationIndex, ctx, progressFor);
    },
  };
}
