/** Turns a rendered audience name into a file stem that is safe on every file system. */
import { ConfigError } from '../../src/core/errors.js';

/** Longest stem we write, leaving room for `.manifest.json` and temp suffixes under the usual 255-byte limit. */
export const MAX_FILE_STEM_LENGTH = 150;

/**
 * Lower-cases, strips accents and replaces every run of characters other than `a-z`, `0-9`, `_`
 * by `-`; e.g. `winter-boots ITEMS.CATEGORY_L1 = "footwear"` → `winter-boots-items-category_l1-footwear`.
 * @throws ConfigError when nothing usable is left.
 */
export function toFileStem(name: string): string {
  const stem = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_FILE_STEM_LENGTH)
    .replace(/-+$/g, '');
  if (stem === '') throw new ConfigError(`audience name "${name}" gives no usable file name; use letters or digits in the file destination's name template`);
  return stem;
}
