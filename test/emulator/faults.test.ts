import * as $Ecs from '@alicloud/ecs20140526';
import {
  startEcsEmulator,
  type EcsEmulator,
  type IssuedCredentials,
} from '../../local/ecs-emulator';
import { ecsClient, REGION, rejectionOf } from './helpers';

const KEY = 'leaked-key';
const describeRegions = new $Ecs.DescribeRegionsRequest({});

async function settle(
  calls: Array<Promise<unknown>>,
): Promise<Array<Record<string, unknown> | 'ok'>> {
  const outcomes = await Promise.allSettled(calls);
  return outcomes.map((o) =>
    o.status === 'fulfilled' ? 'ok' : (o.reason as Record<string, unknown>),
  );
}

describe('ECS emulator faults', () => {
  let emu: EcsEmulator;
  let credentials: IssuedCredentials;

  beforeAll(async () => {
    emu = await startEcsEmulator({ seed: 11 });
    credentials = emu.issueCredentials();
  });
  afterAll(() => emu.stop());
  beforeEach(() => emu.reset());

  it('holds a QPS limit under parallel load, throttling the excess with x-acs-retry-after', async () => {
    // Prepare
    emu.setFaults('DescribeRegions', { qps: 10 });
    const client = ecsClient(emu, credentials);
    const started = Date.now();

    // Act
    const outcomes = await settle(
      Array.from({ length: 60 }, () => client.describeRegions(describeRegions)),
    );

    // Assess: a burst of 10, plus whatever refilled while the 60 were in flight.
    const elapsedSeconds = (Date.now() - started) / 1000;
    const accepted = outcomes.filter((o) => o === 'ok').length;
    const throttled = outcomes.filter((o) => o !== 'ok');
    expect(accepted).toBeGreaterThanOrEqual(10);
    expect(accepted).toBeLessThanOrEqual(10 + Math.ceil(elapsedSeconds * 10));
    expect(accepted + throttled.length).toBe(60);
    for (const error of throttled) {
      expect(error).toMatchObject({
        name: 'ThrottlingError',
        code: 'Throttling.User',
        statusCode: 400,
      });
      expect(error.retryAfter).toBeGreaterThan(0);
    }
  });

  it('limits each action separately', async () => {
    // Prepare
    emu.setFaults('*', { qps: 1 });
    const client = ecsClient(emu, credentials);

    // Act
    const regions = await client.describeRegions(describeRegions);
    const instances = await client.describeInstances(
      new $Ecs.DescribeInstancesRequest({ regionId: REGION }),
    );
    const secondRegions = await rejectionOf(client.describeRegions(describeRegions));

    // Assess
    expect(regions.statusCode).toBe(200);
    expect(instances.statusCode).toBe(200);
    expect(secondRegions).toMatchObject({ code: 'Throttling.User' });
  });

  it.each([
    [
      'throttleRate',
      { throttleRate: 1, retryAfterMs: 250 },
      { code: 'Throttling.User', statusCode: 400, retryAfter: 250 },
    ],
    [
      'error500Rate',
      { error500Rate: 1 },
      { name: 'ServerError', code: 'InternalError', statusCode: 500 },
    ],
    [
      'error503Rate',
      { error503Rate: 1 },
      { name: 'ServerError', code: 'ServiceUnavailable', statusCode: 503 },
    ],
    // The SDK reads this one from XML: its code and request id come out the same.
    [
      'xmlErrorRate',
      { xmlErrorRate: 1 },
      { name: 'ServerError', code: 'ServiceUnavailable', statusCode: 503 },
    ],
  ])('%s answers every request with its error', async (_name, faults, expected) => {
    // Prepare
    emu.setFaults('DescribeRegions', faults);

    // Act
    const error = await rejectionOf(ecsClient(emu, credentials).describeRegions(describeRegions));

    // Assess
    expect(error).toMatchObject(expected);
    expect(error.requestId).toBe(emu.requestLog[0]?.requestId);
  });

  it('drops connections before handling the request', async () => {
    // Prepare
    const [id] = emu.state.seedFleet({ regionId: REGION, count: 1, keyPairName: KEY });
    emu.setFaults('DetachKeyPair', { dropRate: 1 });

    // Act
    const error = await rejectionOf(
      ecsClient(emu, credentials).detachKeyPair(
        new $Ecs.DetachKeyPairRequest({
          regionId: REGION,
          keyPairName: KEY,
          instanceIds: JSON.stringify([id]),
        }),
      ),
    );

    // Assess
    expect(String(error.message)).toMatch(/socket hang up|ECONNRESET/);
    expect(emu.state.instance(id)?.KeyPairName).toBe(KEY);
    expect(emu.requestLog.at(-1)).toMatchObject({ status: 0, fault: 'dropped' });
  });

  it('hangs past the client timeout after applying the change', async () => {
    // Prepare
    const [id] = emu.state.seedFleet({ regionId: REGION, count: 1, keyPairName: KEY });
    emu.setFaults('DetachKeyPair', { hangMs: 2_000 });
    const client = ecsClient(emu, credentials, { readTimeout: 200 });

    // Act
    const error = await rejectionOf(
      client.detachKeyPair(
        new $Ecs.DetachKeyPairRequest({
          regionId: REGION,
          keyPairName: KEY,
          instanceIds: JSON.stringify([id]),
        }),
      ),
    );

    // Assess: the client saw a timeout, yet ECS did the work, so a retry finds it done.
    expect(String(error.message)).toMatch(/timeout/i);
    expect(emu.state.instance(id)?.KeyPairName).toBeUndefined();
  });

  it('adds latency before handling', async () => {
    // Prepare
    emu.setFaults('DescribeRegions', { latencyMs: 120, jitterMs: 30 });

    // Act
    await ecsClient(emu, credentials).describeRegions(describeRegions);

    // Assess
    expect(emu.requestLog.at(-1)?.durationMs).toBeGreaterThanOrEqual(115);
  });

  it('replays the same faults for the same seed and request order', async () => {
    // Prepare
    const client = ecsClient(emu, credentials);
    const run = async (): Promise<string[]> => {
      emu.reset();
      emu.setFaults('DescribeRegions', { error500Rate: 0.3, error503Rate: 0.3 });
      const codes: string[] = [];
      for (let i = 0; i < 20; i++) {
        const outcome = await client.describeRegions(describeRegions).then(
          () => 'ok',
          (error: { code: string }) => error.code,
        );
        codes.push(outcome);
      }
      return codes;
    };

    // Act
    const first = await run();
    const second = await run();

    // Assess
    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['ok', 'InternalError', 'ServiceUnavailable']));
  });
});
