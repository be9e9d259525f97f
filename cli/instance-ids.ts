import { isInstanceId } from '../functions/detach-key-pair/src/request';
import { UsageError } from './errors';

const MAX_BAD_IDS_LISTED = 5;

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

/**
 * Refuses the run when any id breaks the function's own rule. The function refuses a chunk with a
 * bad id as a whole, and by then other chunks may have detached instances; checked here, nothing
 * is sent.
 */
export function requireInstanceIds(ids: string[]): void {
  const bad = ids.filter((id) => !isInstanceId(id));
  if (bad.length === 0) return;
  const listed = bad.slice(0, MAX_BAD_IDS_LISTED).map((id) => JSON.stringify(id.slice(0, 40)));
  if (bad.length > listed.length) listed.push(`and ${bad.length - listed.length} more`);
  throw new UsageError(
    `${bad.length} of ${ids.length} ids are not instance ids such as i-bp1d6tsvznfghy7y1234: ${listed.join(', ')}; nothing was sent`,
  );
}
