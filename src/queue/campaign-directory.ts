/**
 * The campaigns of a directory (`schedule --dir`, `enqueue <campaign>`).
 */
import { readdir } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { loadCampaigns, type LoadedCampaign } from '../campaign/load-campaign.js';
import { ConfigError } from '../core/errors.js';

const CAMPAIGN_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Loads every campaign file (`.yaml`, `.yml`, `.json`) directly in `dir`.
 * @throws ConfigError when the directory cannot be read, or with every problem of every file.
 */
export async function loadCampaignDirectory(dir: string, cwd: string): Promise<LoadedCampaign[]> {
  return loadCampaigns(await campaignFilesIn(dir, cwd), { cwd });
}

/**
 * The campaign files (`.yaml`, `.yml`, `.json`) directly in `dir`, sorted, as `dir/<name>`.
 * @throws ConfigError when the directory cannot be read.
 */
export async function campaignFilesIn(dir: string, cwd: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(resolve(cwd, dir));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([{ file: dir, message: code === 'ENOENT' ? 'campaign directory not found' : `cannot read the campaign directory (${code ?? String(error)})` }]);
  }
  return names.filter((name) => CAMPAIGN_EXTENSIONS.has(extname(name).toLowerCase())).sort().map((name) => join(dir, name));
}

/**
 * The campaign named `name` in `dir`.
 * @throws ConfigError listing the campaigns there when none has that name.
 */
export async function findCampaign(dir: string, name: string, cwd: string): Promise<LoadedCampaign> {
  const campaigns = await loadCampaignDirectory(dir, cwd);
  const found = campaigns.find((loaded) => loaded.campaign.name === name);
  if (!found) {
    const known = campaigns.map((loaded) => loaded.campaign.name).join(', ') || 'none';
    throw new ConfigError([{ file: dir, message: `no campaign named "${name}" (campaigns here: ${known})` }]);
  }
  return found;
}

/** How a job names a campaign file: relative to `cwd` when inside it (workers run from the same project directory), else absolute. */
export function campaignFileForJob(file: string, cwd: string): string {
  const absolute = resolve(cwd, file);
  const fromCwd = relative(cwd, absolute);
  return fromCwd.startsWith('..') || isAbsolute(fromCwd) ? absolute : fromCwd;
}
