/** What the reliability suites share: leak checks, prototype checks, emulator credentials. */
import type { EcsEmulator, RamPolicy } from '../../local/ecs-emulator';
import type { DetachResult } from '../../functions/detach-key-pair/src/result';
import { REPO_ROOT } from '../e2e/helpers';
import { fakeContext } from '../helpers/fc-context';
import { FUNCTION_ROLE_POLICY } from '../helpers/ram';

export const REGION = 'cn-hangzhou';
export const KEY = 'leaked-key';

/** A V8 stack frame (`    at fn (file:1:2)`), a source file with a line, or this checkout's path. */
const INTERNALS = [/\n\s+at [^\n]+:\d+:\d+/, /\bat [^\s]+ \([^)]*:\d+:\d+\)/, /\.[cm]?[jt]s:\d+/];

/** The first internal detail the text gives away, if any. */
export function internalsIn(text: string): string | undefined {
  if (text.includes(REPO_ROOT)) return REPO_ROOT;
  if (text.includes('node_modules')) return 'node_modules';
  return INTERNALS.map((pattern) => pattern.exec(text)?.[0]).find((found) => found);
}

const PROTOTYPES = {
  Object: Object.prototype,
  Array: Array.prototype,
  Function: Function.prototype,
};

/** Own keys of the shared prototypes, to compare before and after hostile input. */
export function prototypeKeys(): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(PROTOTYPES).map(([name, proto]) => [
      name,
      Reflect.ownKeys(proto).map((key) => String(key)),
    ]),
  );
}

/** STS credentials the emulator accepts, in a context shaped like FC's. */
export function emulatorContext(
  emulator: EcsEmulator,
  options: { timeoutSeconds?: number; ttlSeconds?: number; policy?: RamPolicy } = {},
) {
  const issued = emulator.issueCredentials({
    sts: true,
    ttlSeconds: options.ttlSeconds,
    policy: options.policy ?? FUNCTION_ROLE_POLICY,
  });
  const context = fakeContext({
    timeoutSeconds: options.timeoutSeconds,
    credentials: {
      accessKeyId: issued.accessKeyId,
      accessKeySecret: issued.accessKeySecret,
      securityToken: issued.securityToken,
    },
  });
  return { context, issued };
}

/** Counts by status, from the entries rather than the result's own counters. */
export function statusesOf(result: DetachResult): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of result.Results) counts[entry.Status] = (counts[entry.Status] ?? 0) + 1;
  return counts;
}

/** Exactly one entry per requested id, in order, and counters that agree with the entries. */
export function expectOneEntryEach(result: DetachResult, ids: readonly string[]): void {
  expect(result.Results.map((entry) => entry.InstanceId)).toStrictEqual(ids);
  const counts = statusesOf(result);
  expect(result.TotalCount).toBe(ids.length);
  expect(result.DetachedCount).toBe(counts.Detached ?? 0);
  expect(result.SkippedCount).toBe(counts.Skipped ?? 0);
  expect(result.WouldDetachCount).toBe(counts.WouldDetach ?? 0);
  expect(result.FailCount).toBe(counts.Failed ?? 0);
}

/** Milliseconds since `start`, as a whole number. */
export const since = (start: number): number => Math.round(performance.now() - start);

export function percentile(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)];
}
