/**
 * The inner loop of RP3beta training, on plain typed arrays so that it runs unchanged in the main
 * thread or in a worker thread.
 *
 * RP3beta (Paudel, Christoffel et al. 2017; as implemented by Dacrema et al., RecSys 2019):
 * W[i,j] = Σ_u P_iu^α · P_uj^α / pop_j^β with P_uj = 1/n_u and P_iu = 1/pop_i, the diagonal set
 * to 0, each row scaled to sum 1 over all its entries (which cancels the constant P_iu^α factor
 * of a row, so it is never computed), then the top-k entries of each *column* kept.
 *
 * Why columns: every query scores users through columns (Item-Affinity: X·W[:,j]; attributes:
 * X·W·1_A). Dacrema's reference cuts rows; at 100,000 items the top 200 of a row hold 10% of an
 * item's category, so a query item sits in few rows, its column is short, and most of a segment
 * falls back to activity (docs/segment-quality.md, "taste precision at tier L"). A column keeps
 * the k entries that carry most of the query's score mass, W[i,j]·pop_i (what row i adds to
 * the users' scores in total): the k largest W[i,j] alone are tail items with a handful of users,
 * and reached fewer users than the row cut. The untruncated row sums keep the values those of
 * the reference. Below k co-occurring items nothing is cut and every variant gives the same W.
 *
 * The co-count Σ_u n_u^-α over users of both i and j is symmetric, so a column is computed with
 * the same sparse push as a row: over the users of j, then their items i.
 */

/** Inputs shared by every row range. */
export interface Rp3betaKernelInput {
  numItems: number;
  /** Capped user → item CSR: items of `u` are `userItems[userStart[u] .. userEnd[u])`. */
  userStart: Int32Array;
  userEnd: Int32Array;
  userItems: Int32Array;
  /** Capped item → user CSC. */
  itemPtr: Int32Array;
  itemUsers: Int32Array;
  /** n_u^-α per user. */
  userWeight: Float64Array;
  /** pop_j^-β per item (0 for an item without users). */
  itemWeight: Float64Array;
  /** Σ_j of row i of the untruncated W before scaling (see {@link rp3betaRowSums}). */
  rowSum: Float64Array;
  /** Entries kept per column. */
  neighbours: number;
}

/** Columns `first, first + step, …` below `numItems`, each with at most `neighbours` entries. */
export interface Rp3betaColumns {
  /** Entries of the n-th processed column: `rows/vals[n*neighbours .. n*neighbours + columnLength[n])`, rows ascending. */
  columnLength: Int32Array;
  rows: Int32Array;
  vals: Float32Array;
}

/**
 * The sum of each row of the untruncated W before scaling, Σ_{j≠i} co(i,j)·pop_j^-β, in
 * O(entries): Σ over the users u of i of n_u^-α·(Σ_{j of u} pop_j^-β − pop_i^-β).
 */
export function rp3betaRowSums(input: Omit<Rp3betaKernelInput, 'rowSum' | 'neighbours'>): Float64Array {
  const { numItems, userStart, userEnd, userItems, itemPtr, itemUsers, userWeight, itemWeight } = input;
  const userSum = new Float64Array(userStart.length);
  for (let u = 0; u < userStart.length; u++) {
    let sum = 0;
    for (let e = userStart[u]!; e < userEnd[u]!; e++) sum += itemWeight[userItems[e]!]!;
    userSum[u] = sum;
  }
  const rowSum = new Float64Array(numItems);
  for (let i = 0; i < numItems; i++) {
    let sum = 0;
    for (let p = itemPtr[i]!; p < itemPtr[i + 1]!; p++) {
      const u = itemUsers[p]!;
      sum += userWeight[u]! * (userSum[u]! - itemWeight[i]!);
    }
    rowSum[i] = sum;
  }
  return rowSum;
}

/** Computes the columns `first, first + step, …` of W. */
export function rp3betaColumns(input: Rp3betaKernelInput, first: number, step: number): Rp3betaColumns {
  const { numItems, userStart, userEnd, userItems, itemPtr, itemUsers, userWeight, itemWeight, rowSum, neighbours } = input;
  const columnCount = first < numItems ? Math.ceil((numItems - first) / step) : 0;
  const columnLength = new Int32Array(columnCount);
  const rows = new Int32Array(columnCount * neighbours);
  const vals = new Float32Array(columnCount * neighbours);
  const acc = new Float32Array(numItems);
  const touched = new Int32Array(numItems);
  // Min-heap of the best `neighbours` (key, row) pairs: the root is the weakest kept entry
  // (smaller key, or equal key and larger row); heapW holds each entry's W value.
  const heapVal = new Float64Array(neighbours);
  const heapCol = new Int32Array(neighbours);
  const heapW = new Float64Array(neighbours);

  let n = 0;
  for (let i = first; i < numItems; i += step, n++) {
    // Here i is the column and j runs over its rows: acc[j] = co(j, i).
    let touchedCount = 0;
    for (let p = itemPtr[i]!; p < itemPtr[i + 1]!; p++) {
      const u = itemUsers[p]!;
      const w = userWeight[u]!;
      for (let e = userStart[u]!; e < userEnd[u]!; e++) {
        const j = userItems[e]!;
        if (acc[j] === 0) touched[touchedCount++] = j;
        acc[j]! += w;
      }
    }
    let size = 0;
    // Once the heap is full, most candidates fail one comparison with its root.
    let rootVal = -1;
    let rootCol = -1;
    const columnWeight = itemWeight[i]!;
    for (let t = 0; t < touchedCount; t++) {
      const j = touched[t]!;
      const w = (acc[j]! * columnWeight) / rowSum[j]!;
      acc[j] = 0;
      if (j === i || !(w > 0)) continue;
      // Keep the rows that carry most of the column's score mass Σ_u (X·W[:,i])_u: W[j,i]·pop_j.
      const v = w * (itemPtr[j + 1]! - itemPtr[j]!);
      if (size === neighbours) {
        if (v < rootVal || (v === rootVal && j > rootCol)) continue;
        let c = 0;
        for (;;) {
          const left = 2 * c + 1;
          if (left >= size) break;
          const right = left + 1;
          let child = left;
          if (right < size) {
            const vr = heapVal[right]!;
            const vl = heapVal[left]!;
            if (vr < vl || (vr === vl && heapCol[right]! > heapCol[left]!)) child = right;
          }
          const vc = heapVal[child]!;
          if (vc > v || (vc === v && heapCol[child]! < j)) break;
          heapVal[c] = vc;
          heapCol[c] = heapCol[child]!;
          heapW[c] = heapW[child]!;
          c = child;
        }
        heapVal[c] = v;
        heapCol[c] = j;
        heapW[c] = w;
        rootVal = heapVal[0]!;
        rootCol = heapCol[0]!;
      } else {
        let c = size++;
        while (c > 0) {
          const parent = (c - 1) >> 1;
          const vp = heapVal[parent]!;
          if (v < vp || (v === vp && j > heapCol[parent]!)) {
            heapVal[c] = vp;
            heapCol[c] = heapCol[parent]!;
            heapW[c] = heapW[parent]!;
            c = parent;
          } else break;
        }
        heapVal[c] = v;
        heapCol[c] = j;
        heapW[c] = w;
        rootVal = heapVal[0]!;
        rootCol = heapCol[0]!;
      }
    }
    const base = n * neighbours;
    const order = Array.from({ length: size }, (_, h) => h).sort((a, b) => heapCol[a]! - heapCol[b]!);
    for (let h = 0; h < size; h++) {
      rows[base + h] = heapCol[order[h]!]!;
      vals[base + h] = heapW[order[h]!]!;
    }
    columnLength[n] = size;
  }
  return { columnLength, rows, vals };
}
