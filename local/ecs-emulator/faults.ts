/**
 * Injected faults, configured per action (or for every action with '*'): latency, a QPS limit
 * (token bucket), random throttling, random 500/503 (JSON or XML), dropped connections and
 * responses held past a client's timeout. Every random draw comes from the seeded source, in a
 * fixed order per request, so the same seed and the same request order replay the same faults.
 */
import { EcsApiError } from './errors';
import type { Random } from './random';

export interface FaultConfig {
  /** Added to every request before it is handled. */
  latencyMs?: number;
  /** Up to this much more latency, uniformly random. */
  jitterMs?: number;
  /** Requests per second allowed (token bucket, burst of one second). Excess: Throttling.User. */
  qps?: number;
  /** Share of requests (0..1) throttled at random. */
  throttleRate?: number;
  /** Share of requests answered 500 InternalError. */
  error500Rate?: number;
  /** Share of requests answered 503 ServiceUnavailable. */
  error503Rate?: number;
  /** Share of requests answered 503 ServiceUnavailable in XML, which the SDK parses too. */
  xmlErrorRate?: number;
  /** Share of requests whose connection is destroyed before they are handled. */
  dropRate?: number;
  /** Requests picked by hangRate are handled, then answered only after this long. */
  hangMs?: number;
  /** Share of requests (0..1) that hang when hangMs is set. Default 1. */
  hangRate?: number;
  /** `x-acs-retry-after` (ms) sent with random throttling. Default 1000. */
  retryAfterMs?: number;
}

/** What to do with one request. */
export type FaultDecision =
  | { kind: 'fail'; error: EcsApiError }
  | { kind: 'drop' }
  | { kind: 'proceed'; delayMs: number; holdMs: number };

export interface FaultInjector {
  set(action: string, config: FaultConfig): void;
  clear(): void;
  decide(action: string): FaultDecision;
}

interface TokenBucket {
  tokens: number;
  refilledAt: number;
}

function throttled(retryAfterMs: number): EcsApiError {
  return new EcsApiError(400, 'Throttling.User', 'Request was denied due to user flow control.', {
    headers: { 'x-acs-retry-after': String(Math.max(1, Math.ceil(retryAfterMs))) },
  });
}

const internalError = (): EcsApiError =>
  new EcsApiError(
    500,
    'InternalError',
    'The request processing has failed due to some unknown error, exception or failure.',
  );

const serviceUnavailable = (format: EcsApiError['format'] = 'json'): EcsApiError =>
  new EcsApiError(
    503,
    'ServiceUnavailable',
    'The request has failed due to a temporary failure of the server.',
    { format },
  );

/** Takes a token if one is there; otherwise returns how long until one will be. */
function takeToken(bucket: TokenBucket, qps: number, now: number): number {
  bucket.tokens = Math.min(qps, bucket.tokens + ((now - bucket.refilledAt) / 1000) * qps);
  bucket.refilledAt = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return 0;
  }
  return ((1 - bucket.tokens) / qps) * 1000;
}

export function createFaultInjector(random: Random): FaultInjector {
  const configs = new Map<string, FaultConfig>();
  // One bucket per action: ECS limits each API separately.
  const buckets = new Map<string, TokenBucket>();
  const chance = (rate: number | undefined): boolean => rate !== undefined && random() < rate;

  const effective = (action: string): FaultConfig => ({
    ...configs.get('*'),
    ...configs.get(action),
  });

  const overQpsLimit = (action: string, qps: number): number => {
    const now = Date.now();
    let bucket = buckets.get(action);
    if (!bucket) {
      bucket = { tokens: qps, refilledAt: now };
      buckets.set(action, bucket);
    }
    return takeToken(bucket, qps, now);
  };

  return {
    set(action, config) {
      configs.set(action, config);
      buckets.clear();
    },
    clear() {
      configs.clear();
      buckets.clear();
    },
    decide(action) {
      const config = effective(action);
      if (config.qps !== undefined) {
        const waitMs = overQpsLimit(action, config.qps);
        if (waitMs > 0) return { kind: 'fail', error: throttled(waitMs) };
      }
      if (chance(config.throttleRate)) {
        return { kind: 'fail', error: throttled(config.retryAfterMs ?? 1000) };
      }
      if (chance(config.dropRate)) return { kind: 'drop' };
      if (chance(config.error500Rate)) return { kind: 'fail', error: internalError() };
      if (chance(config.error503Rate)) return { kind: 'fail', error: serviceUnavailable() };
      if (chance(config.xmlErrorRate)) return { kind: 'fail', error: serviceUnavailable('xml') };
      const jitter = config.jitterMs ? random() * config.jitterMs : 0;
      const hangs = config.hangMs !== undefined && chance(config.hangRate ?? 1);
      return {
        kind: 'proceed',
        delayMs: (config.latencyMs ?? 0) + jitter,
        holdMs: hangs ? (config.hangMs ?? 0) : 0,
      };
    },
  };
}
