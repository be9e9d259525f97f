/** Small helpers on plain values that more than one part of the function needs. */

/** A JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `items` cut into runs of at most `size`, in order. */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  }
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size));
  }
  return chunks;
}

/** The integer `text` spells, when it is one from 1 to `maximum`; undefined otherwise. */
export function parsePositiveInteger(text: string, maximum: number): number | undefined {
  const value = Number(text);
  return Number.isInteger(value) && value >= 1 && value <= maximum ? value : undefined;
}
