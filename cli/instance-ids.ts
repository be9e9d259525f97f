import { UsageError } from './errors';

const parseList = (items: string[]): string[] =>
  items.map((item) => item.trim()).filter((item) => item.length > 0);

/** `--instances i-a,i-b`. */
export function parseInstanceIdList(value: string): string[] {
  return parseList(value.split(','));
}

/** `--instances-file`: a JSON array of ids, or one id a line (blank lines and `#` comments skipped). */
export function parseInstancesFile(text: string, fileName: string): string[] {
  if (text.trimStart().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${fileName} is not valid JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(parsed) || !parsed.every((id) => typeof id === 'string')) {
      throw new UsageError(`${fileName} must hold a JSON array of instance id strings`);
    }
    return parseList(parsed);
  }
  return parseList(text.split(/\r?\n/).filter((line) => !line.trimStart().startsWith('#')));
}

/** Each id once, in the order first given, so no id is split across two invocations. */
export function uniqueInOrder(ids: string[]): string[] {
  return [...new Set(ids)];
}

export function chunk<T>(items: T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    chunks.push(items.slice(start, start + size));
  return chunks;
}
