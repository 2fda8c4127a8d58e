import { describe, expect, it } from 'vitest';
import { generateSynthetic, syntheticTiers, syntheticUsers } from '../src/synthetic/generate-synthetic.js';
import { tastePrecision } from '../src/synthetic/planted-quality.js';

const spec = { users: 2_000, items: 400, interactions: 60_000, categories: 8, seed: 11 };

describe('synthetic generator', () => {
  it('is seeded: the same spec gives the same data, another seed other data', () => {
    const a = generateSynthetic(spec);
    const b = generateSynthetic(spec);
    expect(Array.from(b.interactions.item)).toEqual(Array.from(a.interactions.item));
    expect(Array.from(b.interactions.timestamp)).toEqual(Array.from(a.interactions.timestamp));
    const c = generateSynthetic({ ...spec, seed: 12 });
    expect(Array.from(c.interactions.item.subarray(0, 50))).not.toEqual(Array.from(a.interactions.item.subarray(0, 50)));
  });

  it('hits the target size, keeps new items out of the interactions and sorts each user by time', () => {
    const data = generateSynthetic(spec);
    const { interactions, items } = data;
    expect(Math.abs(interactions.length - spec.interactions) / spec.interactions).toBeLessThan(0.03);
    expect(items.itemIds).toHaveLength(400);
    expect(data.newItems).toHaveLength(8);
    const interacted = new Set(interactions.item);
    for (const row of data.newItems) {
      expect(interactions.itemIds).not.toContain(items.itemIds[row]);
      expect(interacted.has(row)).toBe(false);
    }
    for (let r = 1; r < interactions.length; r++) {
      if (interactions.user[r] === interactions.user[r - 1]) expect(interactions.timestamp[r]).toBeGreaterThanOrEqual(interactions.timestamp[r - 1]!);
    }
    expect(items.columns.map((c) => c.name)).toEqual(['CATEGORY', 'STYLE', 'AUDIENCE']);
  });

  it('plants the tastes: about 60% + 15%/C of a user’s rows are in the primary category', () => {
    const data = generateSynthetic(spec);
    let inPrimary = 0;
    for (let r = 0; r < data.interactions.length; r++) {
      if (data.itemCategory[data.interactions.item[r]!] === data.primary[data.interactions.user[r]!]) inPrimary++;
    }
    const share = inPrimary / data.interactions.length;
    expect(share).toBeGreaterThan(0.6 + 0.15 / 8 - 0.02);
    expect(share).toBeLessThan(0.6 + 0.15 / 8 + 0.02);
  });

  it('has power-law activity and popularity: the top 1% of items take a large share', () => {
    const data = generateSynthetic(spec);
    const perItem = new Int32Array(data.interactions.itemIds.length);
    for (const i of data.interactions.item) perItem[i]!++;
    const sorted = Array.from(perItem).sort((x, y) => y - x);
    const top = sorted.slice(0, Math.ceil(sorted.length / 100)).reduce((s, n) => s + n, 0);
    expect(top / data.interactions.length).toBeGreaterThan(0.08);
    const perUser = new Int32Array(spec.users);
    for (const u of data.interactions.user) perUser[u]!++;
    expect(Math.max(...perUser)).toBeGreaterThan(8 * (spec.interactions / spec.users));
    expect(Math.min(...perUser)).toBeGreaterThanOrEqual(2);
  });

  it('scores taste precision against the planted truth', () => {
    const data = generateSynthetic(spec);
    const fans = Array.from({ length: spec.users }, (_, u) => u).filter((u) => data.primary[u] === 3 || data.secondary[u] === 3);
    expect(tastePrecision(data, 3, fans)).toBe(1);
    const others = Array.from({ length: spec.users }, (_, u) => u).filter((u) => data.primary[u] !== 3 && data.secondary[u] !== 3);
    expect(tastePrecision(data, 3, others.slice(0, 10))).toBe(0);
  });

  it('writes users with duplicate and missing emails', () => {
    const users = [...syntheticUsers(5_000, 1)];
    const emails = users.map((u) => u.email);
    const missing = emails.filter((e) => e === '').length;
    const present = emails.filter((e) => e !== '');
    expect(missing / users.length).toBeGreaterThan(0.005);
    expect(missing / users.length).toBeLessThan(0.02);
    expect(new Set(present).size).toBeLessThan(present.length);
    expect(users[7]!.userId).toBe('u7');
  });

  it('defines the tiers of the benchmark', () => {
    expect(syntheticTiers.L).toEqual({ users: 1_000_000, items: 100_000, interactions: 50_000_000, categories: 50 });
    expect(syntheticTiers.M.interactions).toBe(5_000_000);
    expect(syntheticTiers.S.users).toBe(10_000);
  });
});
