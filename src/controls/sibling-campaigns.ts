/**
 * The other campaigns of a campaign's directory (the config directory a deployment schedules from),
 * read only for what exclusivity needs: their names, `exclusiveWith` and `priority`. A file that is
 * not a campaign is ignored here; `validate` reports it.
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { parse } from 'yaml';

/** What exclusivity needs of one campaign. */
export interface CampaignRivalry {
  name: string;
  exclusiveWith: string[];
  priority: number;
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Every campaign in `dir` (by name), except the file `ownFile`. */
export async function siblingCampaigns(dir: string, ownFile: string): Promise<Map<string, CampaignRivalry>> {
  const campaigns = new Map<string, CampaignRivalry>();
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names.sort()) {
    const path = join(dir, name);
    if (!EXTENSIONS.has(extname(name).toLowerCase()) || path === resolve(ownFile)) continue;
    let document: unknown;
    try {
      document = parse(await readFile(path, 'utf8'));
    } catch {
      continue;
    }
    if (typeof document !== 'object' || document === null) continue;
    const fields = document as Record<string, unknown>;
    if (typeof fields.name !== 'string' || typeof fields.type !== 'string') continue;
    campaigns.set(fields.name, {
      name: fields.name,
      exclusiveWith: Array.isArray(fields.exclusiveWith) ? fields.exclusiveWith.filter((entry): entry is string => typeof entry === 'string') : [],
      priority: typeof fields.priority === 'number' ? fields.priority : 0,
    });
  }
  return campaigns;
}
