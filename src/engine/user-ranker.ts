/**
 * Picks the top users from a dense score vector: by score, then by activity (the ε·log(1+n_u)
 * tie-break of `../shared/reference/evaluation.md` §2 with ε → 0, so it only orders ties and
 * fills a short list), then by user index. Users without any training interaction are never
 * candidates.
 */

/** Ranks users; holds reusable buffers, so one ranker serves many queries (not concurrently). */
export class UserRanker {
  private readonly excludedStamp: Int32Array;
  private stamp = 0;
  private heapUser = new Int32Array(0);

  /** @param activity n_u per user (number of distinct training items). */
  constructor(private readonly activity: Int32Array) {
    this.excludedStamp = new Int32Array(activity.length);
  }

  /** Number of users that can appear in a segment (n_u > 0). */
  get candidateCount(): number {
    let count = 0;
    for (let u = 0; u < this.activity.length; u++) if (this.activity[u]! > 0) count++;
    return count;
  }

  /**
   * The best `k` candidates by descending `scores` (length = users), leaving out `excluded`.
   * @returns user indices, best first (fewer than `k` only when there are not enough candidates).
   */
  top(scores: Float64Array, k: number, excluded?: ArrayLike<number>): Int32Array {
    const activity = this.activity;
    const stamp = ++this.stamp;
    const marks = this.excludedStamp;
    if (excluded) for (let x = 0; x < excluded.length; x++) marks[excluded[x]!] = stamp;
    if (this.heapUser.length < k) this.heapUser = new Int32Array(k);
    const heap = this.heapUser;
    // True when user a ranks below user b.
    const below = (a: number, b: number): boolean => {
      const sa = scores[a]!;
      const sb = scores[b]!;
      if (sa !== sb) return sa < sb;
      const na = activity[a]!;
      const nb = activity[b]!;
      if (na !== nb) return na < nb;
      return a > b;
    };
    let size = 0;
    for (let u = 0; u < activity.length; u++) {
      if (activity[u] === 0 || marks[u] === stamp) continue;
      if (size < k) {
        let c = size++;
        while (c > 0) {
          const parent = (c - 1) >> 1;
          if (!below(u, heap[parent]!)) break;
          heap[c] = heap[parent]!;
          c = parent;
        }
        heap[c] = u;
      } else if (k > 0 && below(heap[0]!, u)) {
        let c = 0;
        for (;;) {
          const left = 2 * c + 1;
          if (left >= size) break;
          const right = left + 1;
          const child = right < size && below(heap[right]!, heap[left]!) ? right : left;
          if (!below(heap[child]!, u)) break;
          heap[c] = heap[child]!;
          c = child;
        }
        heap[c] = u;
      }
    }
    const result = heap.slice(0, size);
    result.sort((a, b) => (below(a, b) ? 1 : below(b, a) ? -1 : 0));
    return result;
  }
}
