/**
 * The members of a file audience (the file connector's CSV, `email` first), as the state store
 * would keep them: SHA-256 of each normalised email. For audiences the store holds no snapshot of;
 * the emails are hashed as they are read and never leave this function.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { emailHash } from '../state/email-hash.js';

/** Hashes of the file's members; empty when the file is gone. */
export async function fileAudienceHashes(path: string): Promise<string[]> {
  const hashes: string[] = [];
  try {
    const rows = createReadStream(path).pipe(parse({ columns: true, skip_empty_lines: true }));
    for await (const row of rows as AsyncIterable<{ email?: string }>) if (row.email) hashes.push(emailHash(row.email));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return hashes;
}
