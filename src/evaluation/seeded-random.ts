/**
 * A small seeded pseudo-random generator (SplitMix32 seeding + Mulberry32), so that samples,
 * bootstrap resamples and synthetic data are the same on every run and machine.
 */

/** Returns a function giving uniform floats in [0, 1), fully determined by `seed`. */
export function seededRandom(seed: number): () => number {
  let state = (seed ^ 0x9e3779b9) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw from `random` (Box–Muller, cosine branch; uses two uniforms). */
export function standardNormal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Shuffles `array` in place (Fisher–Yates) with `random`. */
export function shuffleInPlace<T extends { length: number; [index: number]: unknown }>(array: T, random: () => number): T {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = array[i];
    array[i] = array[j];
    array[j] = swap;
  }
  return array;
}
