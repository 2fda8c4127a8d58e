/**
 * JSON Schema of campaign files, generated from the same zod schema that validates them, for
 * editor completion (`# yaml-language-server: $schema=../../schema/campaign.schema.json`).
 * The committed copy is `schema/campaign.schema.json`; a test keeps it equal to this output.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { campaignSchema } from './campaign-schema.js';

/** The JSON Schema (draft 2020-12) of campaign files, as they are written (defaults optional). */
function campaignJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(campaignSchema(), { io: 'input', unrepresentable: 'any' });
  return { ...schema, $id: 'https://affinity-sync.dev/schema/campaign.schema.json', title: 'affinity-sync campaign' };
}

/** The JSON Schema as the text of the committed file (2-space indent, final newline). */
export function campaignJsonSchemaText(): string {
  return `${JSON.stringify(campaignJsonSchema(), null, 2)}\n`;
}

/** Writes the JSON Schema to `file` atomically (temp file, then rename). */
export async function writeCampaignJsonSchema(file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, campaignJsonSchemaText(), 'utf8');
  await rename(temp, file);
}
