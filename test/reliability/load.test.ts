/**
 * The local FC runtime in front of the built bundle, under many signed HTTP-trigger requests at
 * once (loopback only, bounded in count and time): every answer is the right one for its request,
 * and memory after the run is where it was before.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { signTriggerRequest } from '../../cli/acs3-sign';
import { send } from '../../cli/http-client';
import { startEcsEmulator, type EcsEmulator } from '../../local/ecs-emulator';
import { startFcRuntime, type FcRuntime } from '../../local/fc-runtime';
import type { DetachResult } from '../../functions/detach-key-pair/src/result';
import { FIXTURE_BUNDLE, fc2Client, requireBuiltBundle } from '../e2e/helpers';
import { RELIABILITY, report } from './settings';
import { FUNCTION_ROLE_POLICY } from '../helpers/ram';
import { KEY, percentile, REGION, since } from './support';

// A full garbage collection on demand, so memory is compared without the garbage.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const MAX_INSTANCES = 8;
/** Wall-clock bound on the whole burst: a stall fails the test instead of hanging it. */
const BURST_LIMIT_MS = 240_000;
const MiB = 1024 * 1024;

type Kind = 'detach' | 'dryRun' | 'invalid' | 'denied';
/** Most requests do real work; some are refused, so both paths run under load. */
const KINDS: Kind[] = [
  'detach',
  'detach',
  'detach',
  'detach',
  'dryRun',
  'dryRun',
  'dryRun',
  'invalid',
  'denied',
  'detach',
];

interface Memory {
  rssMiB: number;
  heapUsedMiB: number;
}

function memory(): Memory {
  collectGarbage();
  const usage = process.memoryUsage();
  return {
    rssMiB: Math.round(usage.rss / MiB),
    heapUsedMiB: Math.round(usage.heapUsed / MiB),
  };
}

describe('the local runtime under load', () => {
  let emulator: EcsEmulator;
  let runtime: FcRuntime;

  beforeAll(async () => {
    requireBuiltBundle();
    emulator = await startEcsEmulator({ port: 0, requestLogLimit: 100 });
    runtime = await startFcRuntime({
      sYamlPath: null,
      httpTrigger: { authType: 'function' },
      ecsEmulator: emulator,
      rolePolicy: FUNCTION_ROLE_POLICY,
      maxInstances: MAX_INSTANCES,
      env: { ECS_ENDPOINT: emulator.url, LOG_LEVEL: 'silent', ALLOWED_REGIONS: REGION },
    });
  });

  afterAll(async () => {
    await runtime?.stop();
    await emulator?.stop();
  });

  /** One signed request of a kind, over instances of its own, and what a right answer is. */
  function prepare(kind: Kind) {
    const ids = emulator.state.seedFleet({ regionId: REGION, count: 2, keyPairName: KEY });
    const body = {
      RegionId: kind === 'denied' ? 'cn-beijing' : REGION,
      KeyPairName: KEY,
      InstanceIds: kind === 'invalid' ? 'not-an-id' : ids,
      DryRun: kind === 'dryRun',
    };
    const bytes = Buffer.from(JSON.stringify(body));
    const url = new URL(`${runtime.url}/`);
    const headers = signTriggerRequest(url, 'POST', bytes, runtime.callerCredentials);
    return { kind, ids, send: () => send(url, 'POST', headers, bytes, BURST_LIMIT_MS) };
  }

  function expectRightAnswer(kind: Kind, ids: string[], status: number, body: string): void {
    const answer = JSON.parse(body);
    if (kind === 'invalid')
      expect({ status, code: answer.code }).toEqual({ status: 400, code: 'InvalidParameter' });
    if (kind === 'denied')
      expect({ status, code: answer.code }).toEqual({ status: 403, code: 'PolicyDenied' });
    if (kind === 'detach' || kind === 'dryRun') {
      expect(status).toBe(200);
      const result = answer as DetachResult;
      expect(result.Results.map((entry) => entry.InstanceId)).toStrictEqual(ids);
      const expected = kind === 'detach' ? 'Detached' : 'WouldDetach';
      expect(result.Results.every((entry) => entry.Status === expected)).toBe(true);
      const held = ids.map((id) => emulator.state.instance(id)?.KeyPairName);
      expect(held).toStrictEqual(kind === 'detach' ? [undefined, undefined] : [KEY, KEY]);
    }
  }

  /** Sends every request at once; samples memory when half have been answered. */
  async function burst(count: number) {
    const requests = Array.from({ length: count }, (_, index) =>
      prepare(KINDS[index % KINDS.length]),
    );
    const latencies: number[] = [];
    let middle: Memory | undefined;
    const started = performance.now();
    const replies = await Promise.all(
      requests.map(async (request) => {
        const sent = performance.now();
        const reply = await request.send();
        latencies.push(performance.now() - sent);
        if (latencies.length === Math.ceil(count / 2)) middle = memory();
        return { request, reply };
      }),
    );
    return {
      replies,
      latencies: latencies.sort((a, b) => a - b),
      durationMs: since(started),
      middle,
    };
  }

  it(`answers ${RELIABILITY.loadRequests} concurrent requests correctly, twice, with memory flat`, async () => {
    // Prepare: every instance started and warm, so what follows measures the steady state.
    const warmUp = await burst(MAX_INSTANCES * 2);
    const start = memory();
    const invocationsBefore = runtime.invocations.length;

    // Act: the same burst twice; the second shows whether the first left anything behind.
    const first = await burst(RELIABILITY.loadRequests);
    const afterFirst = memory();
    const second = await burst(RELIABILITY.loadRequests);
    const end = memory();

    // Assess
    for (const { request, reply } of [...warmUp.replies, ...first.replies, ...second.replies]) {
      expectRightAnswer(request.kind, request.ids, reply.status, reply.body);
    }
    expect(Math.max(first.durationMs, second.durationMs)).toBeLessThan(BURST_LIMIT_MS);
    expect(runtime.invocations.length - invocationsBefore).toBe(2 * RELIABILITY.loadRequests);
    expect(runtime.invocations.every((record) => record.outcome === 'result')).toBe(true);
    // Flat: the heap returns to where it was; the process keeps its high-water mark, no more.
    expect(end.heapUsedMiB - start.heapUsedMiB).toBeLessThan(32);
    expect(end.rssMiB - afterFirst.rssMiB).toBeLessThan(64);
    const figures = (run: Awaited<ReturnType<typeof burst>>) => ({
      durationMs: run.durationMs,
      requestsPerSecond: Math.round((RELIABILITY.loadRequests / run.durationMs) * 1000),
      p50Ms: Math.round(percentile(run.latencies, 0.5)),
      p99Ms: Math.round(percentile(run.latencies, 0.99)),
      maxMs: Math.round(run.latencies[run.latencies.length - 1]),
    });
    report('load', {
      requests: RELIABILITY.loadRequests,
      concurrency: RELIABILITY.loadRequests,
      maxInstances: MAX_INSTANCES,
      first: figures(first),
      second: figures(second),
      memory: {
        start,
        firstMidBurst: first.middle,
        afterFirst,
        secondMidBurst: second.middle,
        end,
      },
    });
  });
});

describe('the runtime instance cap', () => {
  it('queues requests beyond maxInstances, without counting the wait against their timeout', async () => {
    // Prepare: two instances, a 1 s timeout, one request that times out and six that take 400 ms.
    const runtime = await startFcRuntime({
      bundlePath: FIXTURE_BUNDLE,
      sYamlPath: null,
      handler: 'index.handler',
      timeoutSeconds: 1,
      maxInstances: 2,
    });
    const client = fc2Client(runtime);
    const invoke = (ms: number) =>
      client.invokeFunction(
        runtime.serviceName,
        runtime.functionName,
        JSON.stringify({ action: 'sleep', ms }),
      );
    const started = performance.now();

    // Act
    const replies = await Promise.all([
      invoke(5000),
      ...Array.from({ length: 6 }, () => invoke(400)),
    ]);
    const elapsedMs = since(started);
    await runtime.stop();

    // Assess
    const [timedOut, ...served] = replies;
    expect(timedOut.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    served.forEach((reply) => expect(JSON.parse(String(reply.data))).toEqual({ slept: 400 }));
    // Six 400 ms requests on two instances (one of them replaced after the timeout): four rounds at least.
    expect(elapsedMs).toBeGreaterThanOrEqual(1200);
  });
});
