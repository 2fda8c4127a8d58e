/**
 * The campaigns of the console's directory, read on every page view (files change while the
 * console runs). A file with problems is listed with them instead of hiding the others.
 */
import { checkCampaignFile, type LoadedCampaign } from '../campaign/load-campaign.js';
import type { InputIssue } from '../core/errors.js';
import { campaignFilesIn } from '../queue/campaign-directory.js';

export type CatalogEntry = { file: string; loaded: LoadedCampaign } | { file: string; issues: InputIssue[] };

/** @throws ConfigError when the directory cannot be read. */
export async function readCampaignCatalog(dir: string, cwd: string): Promise<CatalogEntry[]> {
  const files = await campaignFilesIn(dir, cwd);
  return Promise.all(
    files.map(async (file): Promise<CatalogEntry> => {
      const check = await checkCampaignFile(file, { cwd });
      return check.ok ? { file, loaded: check.loaded } : { file, issues: check.issues };
    }),
  );
}
