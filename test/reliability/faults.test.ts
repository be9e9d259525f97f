/**
 * The handler from src over the real SDK and loopback HTTP, against the ECS emulator injecting
 * faults: throttling, 5xx, dropped connections, latency spikes, lost responses, credentials that
 * expire mid-run and a deadline that runs out. After every invocation the result is checked
 * against the emulator's own state, and the request is sent again (as FC's async retry or an
 * operator would) until the job is done.
 */
import { randomUUID } from 'node:crypto';
import { startEcsEmulator, type EcsEmulator, type FaultConfig } from '../../local/ecs-emulator';
import { handler } from '../../functions/detach-key-pair/src';
import { systemClock } from '../../functions/detach-key-pair/src/deadline';
import { ecsPortFor } from '../../functions/detach-key-pair/src/ecs/sdk-adapter';
import { DEFAULT_RETRY_POLICY } from '../../functions/detach-key-pair/src/job/retry';
import { createHandler } from '../../functions/detach-key-pair/src/handler';
import { createLogger } from '../../functions/detach-key-pair/src/log';
import type { DetachResult } from '../../functions/detach-key-pair/src/result';
import { RELIABILITY, report } from './settings';
import { emulatorContext, expectOneEntryEach, KEY, REGION, since, statusesOf } from './support';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** Codes with which the handler may throw: only retryable upstream causes (README.md). */
const RETRYABLE_CODES =
  /^(Throttling.*|ServiceUnavailable|InternalError|NetworkError|RequestTimeout|DeadlineExceeded)$/;

/** Whole-request refusals a fault may cause: retryable ones, and a token that expired. */
const ANSWERABLE_REFUSALS = new RegExp(
  `${RETRYABLE_CODES.source}|^InvalidSecurityToken\\.Expired$`,
);

interface Fleet {
  holders: string[];
  otherKey: string[];
  bare: string[];
  windows: string[];
  unknown: string[];
  all: string[];
}

function seedFleet(emulator: EcsEmulator, holders: number): Fleet {
  const seed = (count: number, options: { keyPairName?: string; osType?: 'windows' } = {}) =>
    emulator.state.seedFleet({ regionId: REGION, count, ...options });
  const fleet = {
    holders: seed(holders, { keyPairName: KEY }),
    otherKey: seed(Math.ceil(holders / 10), { keyPairName: 'other-key' }),
    bare: seed(Math.ceil(holders / 10)),
    windows: seed(Math.ceil(holders / 20), { osType: 'windows' }),
    unknown: ['i-doesnotexist00000001', 'i-doesnotexist00000002'],
  };
  // Interleaved, so every batch mixes the kinds.
  const all = [fleet.holders, fleet.otherKey, fleet.bare, fleet.windows, fleet.unknown]
    .flatMap((ids) => ids.map((id, index) => ({ id, order: index / ids.length })))
    .sort((a, b) => a.order - b.order)
    .map((entry) => entry.id);
  return { ...fleet, all };
}

/**
 * Fault settings whose *overall* shares are the given ones: the emulator draws throttling first,
 * then a drop, then 500, then 503, each from what is left.
 */
function overallShares(shares: {
  throttle: number;
  drop: number;
  error5xx: number;
}): Pick<FaultConfig, 'throttleRate' | 'dropRate' | 'error500Rate' | 'error503Rate'> {
  let left = 1 - shares.throttle;
  const dropRate = shares.drop / left;
  left -= shares.drop;
  const error500Rate = shares.error5xx / 2 / left;
  left -= shares.error5xx / 2;
  return {
    throttleRate: shares.throttle,
    dropRate,
    error500Rate,
    error503Rate: shares.error5xx / 2 / left,
  };
}

interface Round {
  result?: DetachResult;
  thrown?: string;
  durationMs: number;
  /** Instances that held the key before this invocation and not after it. */
  detachedByEmulator: Set<string>;
}

describe('faults against the ECS emulator', () => {
  let emulator: EcsEmulator;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    emulator = await startEcsEmulator({ port: 0, seed: RELIABILITY.seed });
  });

  beforeEach(() => {
    emulator.reset();
    // Full-size fleets are larger than the default MAX_INSTANCES (1000).
    process.env = {
      ...savedEnv,
      ECS_ENDPOINT: emulator.url,
      LOG_LEVEL: 'silent',
      MAX_INSTANCES: '100000',
    };
  });

  afterAll(async () => {
    process.env = savedEnv;
    await emulator.stop();
  });

  const holdsKey = (id: string) => emulator.state.instance(id)?.KeyPairName === KEY;

  /** One invocation, checked against the emulator: what it reports detached, ECS detached. */
  async function invokeOnce(
    fn: Handler,
    ids: string[],
    options: { timeoutSeconds: number; ttlSeconds?: number },
  ): Promise<Round> {
    const before = new Set(ids.filter(holdsKey));
    const { context } = emulatorContext(emulator, options);
    const request = { RegionId: REGION, KeyPairName: KEY, InstanceIds: ids };
    const started = performance.now();
    let round: Omit<Round, 'durationMs' | 'detachedByEmulator'>;
    try {
      round = { result: (await fn(Buffer.from(JSON.stringify(request)), context)) as DetachResult };
    } catch (error) {
      round = { thrown: (error as Error).name };
    }
    const durationMs = since(started);
    const detachedByEmulator = new Set([...before].filter((id) => !holdsKey(id)));

    // Retries and backoff stay inside the function's timeout.
    expect(durationMs).toBeLessThanOrEqual(options.timeoutSeconds * 1000);
    if (round.thrown !== undefined) {
      expect(round.thrown).toMatch(RETRYABLE_CODES);
      return { ...round, durationMs, detachedByEmulator };
    }
    const result = round.result as DetachResult;
    if ('Code' in result) {
      // Refused as a whole: only for a cause a later run with fresh credentials can get past.
      expect((result as unknown as { Code: string }).Code).toMatch(ANSWERABLE_REFUSALS);
      expect(detachedByEmulator.size).toBe(0);
      return { ...round, durationMs, detachedByEmulator };
    }
    expectOneEntryEach(result, ids);
    for (const entry of result.Results) {
      // Never "Detached" unless the emulator detached it, in this very invocation.
      if (entry.Status === 'Detached') expect(detachedByEmulator).toContain(entry.InstanceId);
      expect(entry.Code).not.toBe('NotProcessed');
    }
    return { ...round, durationMs, detachedByEmulator };
  }

  /** Sends the same request until no instance holds the key, as FC's async retry would. */
  async function runUntilDone(
    fn: Handler,
    fleet: Fleet,
    options: { timeoutSeconds: number; ttlSeconds?: number; maxRounds?: number },
  ): Promise<Round[]> {
    const rounds: Round[] = [];
    while (fleet.holders.some(holdsKey) && rounds.length < (options.maxRounds ?? 8)) {
      rounds.push(await invokeOnce(fn, fleet.all, options));
    }
    return rounds;
  }

  /** Once done, nothing left to do: and nothing that was not ours was touched. */
  async function expectFinished(fn: Handler, fleet: Fleet): Promise<DetachResult> {
    emulator.clearFaults();
    const final = await invokeOnce(fn, fleet.all, { timeoutSeconds: 60 });
    const result = final.result as DetachResult;
    expect(fleet.holders.filter(holdsKey)).toStrictEqual([]);
    expect(final.detachedByEmulator.size).toBe(0);
    const byId = new Map(result.Results.map((entry) => [entry.InstanceId, entry]));
    for (const id of fleet.holders) {
      expect(byId.get(id)).toMatchObject({ Status: 'Skipped', Code: 'KeyPairNotAttached' });
    }
    for (const id of fleet.otherKey) {
      expect(emulator.state.instance(id)?.KeyPairName).toBe('other-key');
      expect(byId.get(id)).toMatchObject({ Status: 'Skipped', Code: 'OtherKeyPairAttached' });
    }
    for (const id of fleet.windows) {
      expect(byId.get(id)).toMatchObject({
        Status: 'Failed',
        Code: 'DependencyViolation.WindowsInstance',
      });
    }
    for (const id of fleet.unknown) {
      expect(byId.get(id)).toMatchObject({ Status: 'Failed', Code: 'InvalidInstanceId.NotFound' });
    }
    return result;
  }

  function faultCounts(): Record<string, number> {
    const counts: Record<string, number> = { requests: emulator.requestLog.length };
    for (const entry of emulator.requestLog) {
      const name = entry.fault ?? (entry.status >= 500 ? 'error' : 'none');
      counts[name] = (counts[name] ?? 0) + 1;
    }
    return counts;
  }

  const summary = (rounds: Round[]) =>
    rounds.map((round) => ({
      durationMs: round.durationMs,
      thrown: round.thrown,
      statuses: round.result && 'Results' in round.result ? statusesOf(round.result) : round.result,
    }));

  it('throttling 30 %, 5xx 10 %, drops 5 % and latency spikes: every instance accounted for, then done', async () => {
    // Prepare
    process.env.ECS_CONCURRENCY = '8';
    const fleet = seedFleet(emulator, RELIABILITY.faultFleet);
    emulator.setFaults('*', {
      ...overallShares({ throttle: 0.3, drop: 0.05, error5xx: 0.1 }),
      retryAfterMs: 200,
      latencyMs: 5,
      jitterMs: 100,
      // A slow answer, not a lost one: it stays well inside the SDK's read timeout.
      hangMs: 1500,
      hangRate: 0.05,
    });

    // Act
    const rounds = await runUntilDone(handler, fleet, { timeoutSeconds: 30 });
    const faults = faultCounts();

    // Assess
    // Nothing is lost here (drops happen before ECS acts), so ECS detached exactly what was reported.
    for (const round of rounds.filter((r) => r.result && 'Results' in r.result)) {
      const reported = (round.result as DetachResult).Results.filter(
        (e) => e.Status === 'Detached',
      );
      expect(reported.map((entry) => entry.InstanceId).sort()).toStrictEqual(
        [...round.detachedByEmulator].sort(),
      );
    }
    expect(faults.requests - (faults.none ?? 0)).toBeGreaterThan(0);
    await expectFinished(handler, fleet);
    report('faults-mixed', {
      fleet: fleet.all.length,
      holders: fleet.holders.length,
      faults,
      rounds: summary(rounds),
    });
  });

  it('a lost response is checked against the instance, never reported Failed once ECS detached it', async () => {
    // Prepare: a short call timeout, so a held answer is lost and the call retried, in seconds.
    const lossy = createHandler({
      env: () => process.env,
      clock: systemClock,
      retryPolicy: { ...DEFAULT_RETRY_POLICY, maxCallTimeoutMs: 400 },
      loggerFor: (level) => createLogger(level),
      ecsPortFor: async (...args) => ecsPortFor(...args),
      newRequestId: randomUUID,
    });
    const fleet = seedFleet(emulator, RELIABILITY.faultFleet);
    const holdMs = 1000;
    emulator.setFaults('DetachKeyPair', { hangMs: holdMs, hangRate: 0.5 });

    // Act
    const rounds = await runUntilDone(lossy, fleet, { timeoutSeconds: 30 });
    // The emulator logs a held answer when it finally sends it, which may be after the run.
    await new Promise((resolve) => setTimeout(resolve, holdMs + 100));
    const faults = faultCounts();

    // Assess
    const misreported: Record<string, number> = {};
    for (const round of rounds.filter((r) => r.result && 'Results' in r.result)) {
      for (const entry of (round.result as DetachResult).Results) {
        if (entry.Status !== 'Failed' || !round.detachedByEmulator.has(entry.InstanceId)) continue;
        // Only when no time or no answer was left to check it; then sending again will.
        expect(entry.Retryable).toBe(true);
        misreported[entry.Code] = (misreported[entry.Code] ?? 0) + 1;
      }
    }
    expect(faults.hang).toBeGreaterThan(0);
    await expectFinished(lossy, fleet);
    report('faults-lost-responses', {
      fleet: fleet.all.length,
      faults,
      misreported,
      rounds: summary(rounds),
    });
  });

  it('credentials that expire mid-run: what was reported detached was, and a fresh run finishes', async () => {
    // Prepare: one call at a time, each slow, so the run outlives its STS token.
    process.env.ECS_CONCURRENCY = '1';
    const fleet = seedFleet(emulator, 300);
    emulator.setFaults('*', { latencyMs: 400 });

    // Act
    const expiring = await invokeOnce(handler, fleet.all, { timeoutSeconds: 30, ttlSeconds: 1.5 });
    const expiredCalls = emulator.requestLog.filter(
      (e) => e.code === 'InvalidSecurityToken.Expired',
    );
    const rounds = await runUntilDone(handler, fleet, { timeoutSeconds: 30 });

    // Assess
    expect(expiredCalls.length).toBeGreaterThan(0);
    expect(expiring.detachedByEmulator.size).toBeGreaterThan(0);
    expect(fleet.holders.filter(holdsKey)).toStrictEqual([]);
    await expectFinished(handler, fleet);
    report('faults-expiring-credentials', {
      fleet: fleet.all.length,
      expiredCalls: expiredCalls.length,
      first: summary([expiring]),
      rounds: summary(rounds),
    });
  });

  it('a deadline that runs out: the handler answers in time, unreached instances are retryable', async () => {
    // Prepare
    process.env.ECS_CONCURRENCY = '1';
    const fleet = seedFleet(emulator, RELIABILITY.faultFleet);
    emulator.setFaults('*', { latencyMs: 400 });
    const timeoutSeconds = 2;

    // Act
    const first = await invokeOnce(handler, fleet.all, { timeoutSeconds });
    emulator.clearFaults();
    const rounds = await runUntilDone(handler, fleet, { timeoutSeconds: 30 });

    // Assess
    expect(first.durationMs).toBeLessThanOrEqual(timeoutSeconds * 1000);
    if (first.result && 'Results' in first.result) {
      expect(first.result.DeadlineExceeded).toBe(true);
      const unreached = first.result.Results.filter((entry) => entry.Code === 'DeadlineExceeded');
      expect(unreached.length).toBeGreaterThan(0);
      unreached.forEach((entry) =>
        expect(entry).toMatchObject({ Status: 'Failed', Retryable: true }),
      );
    } else {
      expect(first.thrown ?? (first.result as unknown as { Code: string }).Code).toBe(
        'DeadlineExceeded',
      );
    }
    await expectFinished(handler, fleet);
    report('faults-deadline', {
      fleet: fleet.all.length,
      timeoutMs: timeoutSeconds * 1000,
      first: summary([first]),
      rounds: summary(rounds),
    });
  });
});
