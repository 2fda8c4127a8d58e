/**
 * A tiny shop written as Personalize CSV files: 60 shoppers in three taste groups (outdoor,
 * kitchen, jewelry), 4 items per group, interactions in November 2024 (the last one on
 * 2024-11-30). USER_IDs u1…u60; every tenth shopper has no email, so 6 of 60 never match.
 * Fast to train: history, retire and alert tests run real campaigns on it in well under a second.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const TINY_SHOP_CATEGORIES = ['outdoor', 'kitchen', 'jewelry'] as const;
/** Time of the last interaction (2024-11-30T00:00:00Z), epoch seconds. */
export const TINY_SHOP_LAST_INTERACTION = Date.UTC(2024, 10, 30) / 1000;

/** Email of shopper `n` (1-based); undefined for every tenth. */
export const tinyShopEmail = (n: number): string | undefined => (n % 10 === 0 ? undefined : `shopper${n}@shop.example`);

/** Writes users.csv, items.csv and interactions.csv into `dir` (created). */
export async function writeTinyShop(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const users = ['USER_ID,EMAIL,FIRST_NAME,LAST_NAME'];
  for (let n = 1; n <= 60; n += 1) users.push(`u${n},${tinyShopEmail(n) ?? ''},Shopper,No${n}`);
  const items = ['ITEM_ID,PRODUCT_NAME,CATEGORY_L1'];
  for (const category of TINY_SHOP_CATEGORIES) for (let k = 1; k <= 4; k += 1) items.push(`${category}-${k},${category} item ${k},${category}`);
  const interactions = ['USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE'];
  let time = TINY_SHOP_LAST_INTERACTION - 60 * 61 * 60;
  for (let n = 1; n <= 60; n += 1) {
    const category = TINY_SHOP_CATEGORIES[n % 3]!;
    // Each shopper views 3 of their group's 4 items (a different one left out), and one item of the next group.
    for (let k = 1; k <= 4; k += 1) if (k !== (n % 4) + 1) interactions.push(`u${n},${category}-${k},${(time += 60)},View`);
    interactions.push(`u${n},${TINY_SHOP_CATEGORIES[(n + 1) % 3]}-${(n % 4) + 1},${(time += 60)},View`);
  }
  interactions.push(`u1,outdoor-1,${TINY_SHOP_LAST_INTERACTION},Purchase`);
  await writeFile(join(dir, 'users.csv'), `${users.join('\n')}\n`);
  await writeFile(join(dir, 'items.csv'), `${items.join('\n')}\n`);
  await writeFile(join(dir, 'interactions.csv'), `${interactions.join('\n')}\n`);
}
