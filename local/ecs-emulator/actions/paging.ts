/**
 * The two ways ECS pages a list: PageNumber/PageSize (an offset) and MaxResults/NextToken (a
 * cursor). The cursor names the last item returned by its creation order, so items that leave
 * the list between pages (a detached key pair) do not make the next page skip any.
 */
import { invalidParameter } from '../errors';

interface Ordered {
  readonly seq: number;
}

export function pageByNumber<T>(items: readonly T[], pageNumber: number, pageSize: number): T[] {
  const start = (pageNumber - 1) * pageSize;
  return items.slice(start, start + pageSize);
}

function decodeToken(token: string): number {
  const seq = Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^seq:/, ''));
  if (!Number.isInteger(seq) || seq < 0) throw invalidParameter('NextToken');
  return seq;
}

/** The first index whose seq is greater than `seq` (items are sorted by seq). */
function firstAfter(items: readonly Ordered[], seq: number): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (items[mid].seq <= seq) low = mid + 1;
    else high = mid;
  }
  return low;
}

export function pageByToken<T extends Ordered>(
  items: readonly T[],
  nextToken: string | undefined,
  maxResults: number,
): { page: T[]; nextToken: string } {
  const start = nextToken ? firstAfter(items, decodeToken(nextToken)) : 0;
  const page = items.slice(start, start + maxResults);
  const more = start + maxResults < items.length;
  const last = page[page.length - 1];
  return {
    page,
    nextToken: more && last ? Buffer.from(`seq:${last.seq}`).toString('base64url') : '',
  };
}

/**
 * The paging of the newer list actions: MaxResults (at most `max`) with NextToken, or, when
 * neither is sent, the deprecated PageNumber/PageSize. Returns the page and the answer's paging
 * fields.
 */
export function pageListed<T extends Ordered>(
  items: readonly T[],
  params: Readonly<Record<string, string | undefined>>,
  max: number,
): { page: T[]; fields: Record<string, number | string> } {
  const size = (name: string): number => {
    const raw = params[name];
    if (raw === undefined || raw === '') return DEFAULT_LIST_PAGE;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > max) throw invalidParameter(name);
    return value;
  };
  const byNumber =
    params.MaxResults === undefined &&
    params.NextToken === undefined &&
    (params.PageNumber !== undefined || params.PageSize !== undefined);
  if (!byNumber) {
    const maxResults = size('MaxResults');
    const { page, nextToken } = pageByToken(items, params.NextToken, maxResults);
    return {
      page,
      fields: { TotalCount: items.length, PageSize: maxResults, NextToken: nextToken },
    };
  }
  const pageNumber = Number(params.PageNumber || 1);
  if (!Number.isInteger(pageNumber) || pageNumber < 1) throw invalidParameter('PageNumber');
  const pageSize = size('PageSize');
  return {
    page: pageByNumber(items, pageNumber, pageSize),
    fields: { TotalCount: items.length, PageNumber: pageNumber, PageSize: pageSize },
  };
}

const DEFAULT_LIST_PAGE = 10;
