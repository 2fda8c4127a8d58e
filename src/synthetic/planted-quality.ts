/**
 * Quality of segments against the truth planted in synthetic data: the share of a segment's users
 * who really favour the query's category (primary or secondary taste). Random segments score
 * about 2 / categories.
 */
import type { SyntheticData } from './generate-synthetic.js';

/** Share of `users` (indices) whose primary or secondary category is `category`. */
export function tastePrecision(data: SyntheticData, category: number, users: ArrayLike<number>): number {
  if (users.length === 0) return 0;
  let fans = 0;
  for (let n = 0; n < users.length; n++) {
    const u = users[n]!;
    if (data.primary[u] === category || data.secondary[u] === category) fans++;
  }
  return fans / users.length;
}
