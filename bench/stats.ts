export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Runs `rounds` rounds of every variant, alternating the order each round (A,B then B,A) so that
 * neither variant always runs right after the other and machine noise lands on both.
 */
export async function interleave<K extends string, T>(
  rounds: number,
  variants: Record<K, () => Promise<T> | T>,
): Promise<Record<K, T[]>> {
  const names = Object.keys(variants) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as T[]])) as Record<K, T[]>;
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) samples[name].push(await variants[name]());
  }
  return samples;
}

/** Median of the per-round ratios, so each ratio compares samples taken side by side. */
export function medianRatio(
  numerators: readonly number[],
  denominators: readonly number[],
): number {
  return median(numerators.map((value, index) => value / denominators[index]));
}
