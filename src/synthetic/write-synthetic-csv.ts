/**
 * Writes a synthetic shop as the three Personalize CSV files (`interactions.csv`, `items.csv`,
 * `users.csv`) so that the datasets reader can be benchmarked on it. Streams in large chunks,
 * never one string per file.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import type { SyntheticData } from './generate-synthetic.js';
import { syntheticUsers } from './generate-synthetic.js';

async function writeLines(file: string, header: string, lines: Iterable<string>): Promise<void> {
  const stream = createWriteStream(file);
  let chunk = `${header}\n`;
  for (const line of lines) {
    chunk += `${line}\n`;
    if (chunk.length > 1 << 20) {
      if (!stream.write(chunk)) await once(stream, 'drain');
      chunk = '';
    }
  }
  stream.end(chunk);
  await once(stream, 'finish');
}

/** Writes `data` into `dir` (created if needed); users get the seeded duplicate and missing emails. */
export async function writeSyntheticCsv(dir: string, data: SyntheticData, seed = 0): Promise<void> {
  await mkdir(dir, { recursive: true });
  const { interactions, items } = data;
  await writeLines(
    join(dir, 'interactions.csv'),
    'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE',
    (function* () {
      for (let r = 0; r < interactions.length; r++) {
        yield `${interactions.userIds[interactions.user[r]!]},${interactions.itemIds[interactions.item[r]!]},${interactions.timestamp[r]},View`;
      }
    })(),
  );
  await writeLines(
    join(dir, 'items.csv'),
    `ITEM_ID,${items.columns.map((column) => column.name).join(',')}`,
    (function* () {
      for (let i = 0; i < items.itemIds.length; i++) yield `${items.itemIds[i]},${items.columns.map((column) => column.values[i]!.join('|')).join(',')}`;
    })(),
  );
  await writeLines(
    join(dir, 'users.csv'),
    'USER_ID,EMAIL,FIRST_NAME,LAST_NAME',
    (function* () {
      for (const user of syntheticUsers(interactions.userIds.length, seed)) yield `${user.userId},${user.email},${user.firstName},${user.lastName}`;
    })(),
  );
}
