/** Reading and checking request parameters, with the errors ECS gives for bad ones. */
import { EcsApiError, invalidParameter, missingParameter, regionNotFound } from '../errors';
import type { ActionContext, Params } from './types';

export function requiredParam(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') throw missingParameter(name);
  return value;
}

/** An integer within [min, max], or the fallback when absent. */
export function intParam(
  params: Params,
  name: string,
  range: { min: number; max: number; fallback: number },
): number {
  const raw = params[name];
  if (raw === undefined || raw === '') return range.fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw invalidParameter(name);
  }
  return value;
}

export function booleanParam(params: Params, name: string): boolean {
  const raw = params[name];
  if (raw === undefined || raw === '') return false;
  if (raw !== 'true' && raw !== 'false') throw invalidParameter(name);
  return raw === 'true';
}

/**
 * A JSON-array-of-strings parameter such as InstanceIds, deduplicated in first-seen order.
 * `invalid` is the action's own error for a malformed or oversized list.
 */
export function idListParam(
  params: Params,
  name: string,
  max: number,
  invalid: () => EcsApiError,
): string[] | undefined {
  const raw = params[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length > max ||
    !parsed.every((id): id is string => typeof id === 'string' && id !== '')
  ) {
    throw invalid();
  }
  return [...new Set(parsed)];
}

/** A repeat list such as InstanceId.1, InstanceId.2, …: the values by N, duplicates once. */
export function repeatListParam(params: Params, name: string): string[] {
  const prefix = `${name}.`;
  const entries: Array<[number, string]> = [];
  for (const [key, value] of Object.entries(params)) {
    if (!key.startsWith(prefix) || value === undefined || value === '') continue;
    const n = Number(key.slice(prefix.length));
    if (!Number.isInteger(n) || n < 1) throw invalidParameter(key);
    entries.push([n, value]);
  }
  return [...new Set(entries.sort((a, b) => a[0] - b[0]).map(([, value]) => value))];
}

/** RegionId, required and known. */
export function regionParam(params: Params, context: ActionContext): string {
  const regionId = requiredParam(params, 'RegionId');
  if (!context.state.hasRegion(regionId)) throw regionNotFound();
  return regionId;
}
