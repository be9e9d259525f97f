/** A random source in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: tiny, fast and good enough for fault injection. Seeded, so a failing run replays
 * with the same sequence of faults and the same generated instance ids.
 */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomAlphanumeric(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[Math.floor(random() * ALPHANUMERIC.length)];
  return out;
}
