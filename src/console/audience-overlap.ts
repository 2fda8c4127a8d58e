/**
 * How much audiences overlap: for each ordered pair (A, B), the share of A's members who are also
 * in B, |A ∩ B| / |A|, from the hashes of their members (no email is needed or shown).
 */

export interface OverlapAudience {
  key: string;
  label: string;
  campaign: string;
  memberHashes: readonly string[];
}

export interface OverlapMatrix {
  audiences: Array<{ key: string; label: string; campaign: string; members: number }>;
  /** `shared[i][j]` = members of audience i also in audience j. */
  shared: number[][];
}

export function audienceOverlap(audiences: readonly OverlapAudience[]): OverlapMatrix {
  const sets = audiences.map((audience) => new Set(audience.memberHashes));
  const shared = sets.map((own, i) =>
    sets.map((other, j) => {
      if (i === j) return own.size;
      if (j < i) return -1; // filled from the symmetric pair below
      const [small, large] = own.size <= other.size ? [own, other] : [other, own];
      let both = 0;
      for (const hash of small) if (large.has(hash)) both += 1;
      return both;
    }),
  );
  for (let i = 0; i < shared.length; i += 1) {
    for (let j = 0; j < i; j += 1) shared[i]![j] = shared[j]![i]!;
  }
  return {
    audiences: audiences.map((audience, index) => ({ key: audience.key, label: audience.label, campaign: audience.campaign, members: sets[index]!.size })),
    shared,
  };
}
