/**
 * The inner loop of RP3beta training, on plain typed arrays so that it runs unchanged in the main
 * thread or in a worker thread.
 *
 * RP3beta (Paudel, Christoffel et al. 2017; as implemented by Dacrema et al., RecSys 2019):
 * W[i,j] = Σ_u P_iu^α · P_uj^α / pop_j^β with P_uj = 1/n_u and P_iu = 1/pop_i, the diagonal set
 * to 0, the top-k entries of each row kept, then each row scaled to sum 1 (which cancels the
 * constant P_iu^α factor of a row, so it is never computed).
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
  /** Neighbours kept per row. */
  neighbours: number;
}

/** Rows `first, first + step, …` below `numItems`, each with at most `neighbours` entries. */
export interface Rp3betaRows {
  /** Entries of the n-th processed row: `cols/vals[n*neighbours .. n*neighbours + rowLength[n])`, columns ascending. */
  rowLength: Int32Array;
  cols: Int32Array;
  vals: Float32Array;
}

/** Computes the rows `first, first + step, …` of W. */
export function rp3betaRows(input: Rp3betaKernelInput, first: number, step: number): Rp3betaRows {
  const { numItems, userStart, userEnd, userItems, itemPtr, itemUsers, userWeight, itemWeight, neighbours } = input;
  const rowCount = first < numItems ? Math.ceil((numItems - first) / step) : 0;
  const rowLength = new Int32Array(rowCount);
  const cols = new Int32Array(rowCount * neighbours);
  const vals = new Float32Array(rowCount * neighbours);
  const acc = new Float32Array(numItems);
  const touched = new Int32Array(numItems);
  // Min-heap of the best `neighbours` (value, column) pairs: the root is the weakest kept entry
  // (smaller value, or equal value and larger column).
  const heapVal = new Float64Array(neighbours);
  const heapCol = new Int32Array(neighbours);

  let n = 0;
  for (let i = first; i < numItems; i += step, n++) {
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
    for (let t = 0; t < touchedCount; t++) {
      const j = touched[t]!;
      const v = acc[j]! * itemWeight[j]!;
      acc[j] = 0;
      if (j === i || v <= 0) continue;
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
          c = child;
        }
        heapVal[c] = v;
        heapCol[c] = j;
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
            c = parent;
          } else break;
        }
        heapVal[c] = v;
        heapCol[c] = j;
        rootVal = heapVal[0]!;
        rootCol = heapCol[0]!;
      }
    }
    let sum = 0;
    for (let h = 0; h < size; h++) sum += heapVal[h]!;
    const base = n * neighbours;
    const order = Array.from({ length: size }, (_, h) => h).sort((a, b) => heapCol[a]! - heapCol[b]!);
    for (let h = 0; h < size; h++) {
      cols[base + h] = heapCol[order[h]!]!;
      vals[base + h] = heapVal[order[h]!]! / sum;
    }
    rowLength[n] = size;
  }
  return { rowLength, cols, vals };
}
