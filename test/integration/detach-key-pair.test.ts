/**
 * The handler from src, over the real SDK path (our openapi-core adapter) and loopback HTTP,
 * against the ECS emulator, with STS credentials restricted to the function role's RAM policy.
 */
import { startEcsEmulator, type EcsEmulator, type RamPolicy } from '../../local/ecs-emulator';
import { handler } from '../../functions/detach-key-pair/src';
import type { DetachResult } from '../../functions/detach-key-pair/src/result';
import { httpEventWithBody } from '../helpers/events';
import { fakeContext } from '../helpers/fc-context';
import { FUNCTION_ROLE_POLICY } from '../helpers/ram';

const REGION = 'cn-hangzhou';
const KEY = 'leaked-key';

let emu: EcsEmulator;
const savedEnv = { ...process.env };

beforeAll(async () => {
  emu = await startEcsEmulator({ port: 0, seed: 42 });
});

beforeEach(() => {
  emu.reset();
  process.env = { ...savedEnv, ECS_ENDPOINT: emu.url, LOG_LEVEL: 'silent', ECS_CONCURRENCY: '8' };
});

afterAll(async () => {
  process.env = savedEnv;
  await emu.stop();
});

function context(options: { timeoutSeconds?: number; policy?: RamPolicy } = {}) {
  const issued = emu.issueCredentials({
    sts: true,
    policy: options.policy ?? FUNCTION_ROLE_POLICY,
  });
  return fakeContext({
    timeoutSeconds: options.timeoutSeconds,
    credentials: {
      accessKeyId: issued.accessKeyId,
      accessKeySecret: issued.accessKeySecret,
      securityToken: issued.securityToken,
    },
  });
}

async function detach(
  request: Record<string, unknown>,
  options: Parameters<typeof context>[0] = {},
) {
  return (await handler(Buffer.from(JSON.stringify(request)), context(options))) as DetachResult;
}

const callsOf = (action: string) => emu.requestLog.filter((entry) => entry.action === action);

describe('detach-key-pair against the ECS emulator', () => {
  it.each([1, 50, 51, 1000])(
    'detaches %p instances in ceil(N/100)+ceil(N/50) calls',
    async (count) => {
      // Prepare
      const ids = emu.state.seedFleet({ regionId: REGION, count, keyPairName: KEY });
      // Act
      const result = await detach({ RegionId: REGION, KeyPairName: KEY, InstanceIds: ids });
      // Assess
      expect(result).toMatchObject({
        TotalCount: count,
        DetachedCount: count,
        FailCount: 0,
        DeadlineExceeded: false,
      });
      expect(result.Results.map((entry) => entry.InstanceId)).toStrictEqual(ids);
      expect(emu.state.instancesHolding(REGION, KEY)).toStrictEqual([]);
      expect(callsOf('DescribeInstances')).toHaveLength(Math.ceil(count / 100));
      expect(callsOf('DetachKeyPair')).toHaveLength(Math.ceil(count / 50));
      expect(result.EcsRequestIds).toHaveLength(Math.ceil(count / 100) + Math.ceil(count / 50));
    },
  );

  it('handles Windows, unknown, keyless and other-key instances mixed in', async () => {
    // Prepare
    const holding = emu.state.seedFleet({ regionId: REGION, count: 60, keyPairName: KEY });
    const windows = emu.state.seedFleet({ regionId: REGION, count: 2, osType: 'windows' });
    const keyless = emu.state.seedFleet({ regionId: REGION, count: 3 });
    const other = emu.state.seedFleet({ regionId: REGION, count: 4, keyPairName: 'other-key' });
    const unknown = ['i-unknown0000000000001', 'i-unknown0000000000002'];
    const ids = [
      ...windows,
      ...holding.slice(0, 30),
      ...unknown,
      ...keyless,
      ...holding.slice(30),
      ...other,
    ];
    // Act
    const result = await detach({ RegionId: REGION, KeyPairName: KEY, InstanceIds: ids.join(',') });
    // Assess
    expect(result).toMatchObject({
      TotalCount: 71,
      DetachedCount: 60,
      SkippedCount: 7,
      FailCount: 4,
    });
    const codeOf = (id: string) => result.Results.find((entry) => entry.InstanceId === id)?.Code;
    expect(windows.map(codeOf)).toStrictEqual([
      'DependencyViolation.WindowsInstance',
      'DependencyViolation.WindowsInstance',
    ]);
    expect(unknown.map(codeOf)).toStrictEqual([
      'InvalidInstanceId.NotFound',
      'InvalidInstanceId.NotFound',
    ]);
    expect(emu.state.instance(other[0])?.KeyPairName).toBe('other-key');
    expect(callsOf('DetachKeyPair').every((entry) => entry.status === 200)).toBe(true);
  });

  it('answers 404 over HTTP when ECS no longer knows the key pair', async () => {
    // Prepare
    const ids = emu.state.seedFleet({ regionId: REGION, count: 3 });
    ids.forEach((id) => {
      const record = emu.state.findInstance(id);
      if (record) emu.state.setKeyPair(record, 'deleted-key');
    });
    const event = httpEventWithBody('http/post-json.json', {
      RegionId: REGION,
      KeyPairName: 'deleted-key',
      InstanceIds: ids,
    });
    // Act
    const response = (await handler(event, context())) as { statusCode: number; body: string };
    // Assess
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toMatchObject({
      code: 'InvalidKeyPairName.NotFound',
      status: 404,
    });
  });

  it('refuses a key pair name that does not exist, checking with one DescribeKeyPairs call', async () => {
    // Prepare
    const ids = emu.state.seedFleet({ regionId: REGION, count: 3, keyPairName: KEY });
    // Act
    const result = await detach({ RegionId: REGION, KeyPairName: 'no-such-key', InstanceIds: ids });
    // Assess
    expect(result).toMatchObject({ Code: 'InvalidKeyPairName.NotFound', Retryable: false });
    expect(callsOf('DescribeKeyPairs')).toHaveLength(1);
    expect(callsOf('DetachKeyPair')).toHaveLength(0);
  });

  it('reports instances as Skipped for an existing key pair nobody holds', async () => {
    // Prepare
    emu.state.createKeyPair(REGION, 'unused-key');
    const ids = emu.state.seedFleet({ regionId: REGION, count: 3, keyPairName: KEY });
    // Act
    const result = await detach({ RegionId: REGION, KeyPairName: 'unused-key', InstanceIds: ids });
    // Assess
    expect(result).toMatchObject({
      SkippedCount: 3,
      Results: [{ Code: 'OtherKeyPairAttached' }, {}, {}],
    });
    expect(callsOf('DetachKeyPair')).toHaveLength(0);
  });

  it('recovers from throttling and 5xx', async () => {
    // Prepare
    const ids = emu.state.seedFleet({ regionId: REGION, count: 300, keyPairName: KEY });
    emu.setFaults('*', {
      throttleRate: 0.2,
      error503Rate: 0.1,
      error500Rate: 0.05,
      retryAfterMs: 20,
    });
    // Act
    const result = await detach({ RegionId: REGION, KeyPairName: KEY, InstanceIds: ids });
    // Assess
    expect(result).toMatchObject({ DetachedCount: 300, FailCount: 0 });
    expect(emu.requestLog.some((entry) => entry.code?.includes('Throttling'))).toBe(true);
    expect(emu.requestLog.some((entry) => entry.status >= 500)).toBe(true);
    expect(emu.state.instancesHolding(REGION, KEY)).toStrictEqual([]);
  });

  it('stops at the deadline and says which instances were not reached', async () => {
    // Prepare
    process.env.ECS_CONCURRENCY = '1';
    const ids = emu.state.seedFleet({ regionId: REGION, count: 500, keyPairName: KEY });
    emu.setFaults('DetachKeyPair', { latencyMs: 400 });
    // Act
    const result = await detach(
      { RegionId: REGION, KeyPairName: KEY, InstanceIds: ids },
      { timeoutSeconds: 2 },
    );
    // Assess
    expect(result.DeadlineExceeded).toBe(true);
    expect(result.DetachedCount).toBeGreaterThan(0);
    expect(result.DetachedCount + result.FailCount).toBe(500);
    const failed = result.Results.filter((entry) => entry.Status === 'Failed');
    expect(failed.every((entry) => entry.Code === 'DeadlineExceeded' && entry.Retryable)).toBe(
      true,
    );
    expect(emu.state.instancesHolding(REGION, KEY)).toHaveLength(result.FailCount);
  });

  it('answers 504 when ECS hangs past the deadline before anything changed', async () => {
    // Prepare
    const ids = emu.state.seedFleet({ regionId: REGION, count: 2, keyPairName: KEY });
    emu.setFaults('DescribeInstances', { hangMs: 5000 });
    const event = httpEventWithBody('http/post-json.json', {
      RegionId: REGION,
      KeyPairName: KEY,
      InstanceIds: ids,
    });
    // Act
    const response = (await handler(event, context({ timeoutSeconds: 1.5 }))) as {
      statusCode: number;
    };
    // Assess
    expect(response.statusCode).toBe(504);
    expect(emu.state.instancesHolding(REGION, KEY)).toHaveLength(2);
  });

  it('leaves the emulator state unchanged in a dry run', async () => {
    // Prepare
    const ids = [
      ...emu.state.seedFleet({ regionId: REGION, count: 120, keyPairName: KEY }),
      ...emu.state.seedFleet({ regionId: REGION, count: 2, osType: 'windows' }),
    ];
    const before = ids.map((id) => emu.state.instance(id));
    // Act
    const result = await detach({
      RegionId: REGION,
      KeyPairName: KEY,
      InstanceIds: ids,
      DryRun: true,
    });
    // Assess
    expect(result).toMatchObject({
      DryRun: true,
      WouldDetachCount: 120,
      FailCount: 2,
      DetachedCount: 0,
    });
    expect(ids.map((id) => emu.state.instance(id))).toStrictEqual(before);
    expect(callsOf('DetachKeyPair')).toHaveLength(0);
  });

  it('answers 403 when the role may not detach', async () => {
    // Prepare
    const ids = emu.state.seedFleet({ regionId: REGION, count: 2, keyPairName: KEY });
    const describeOnly: RamPolicy = {
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: ['ecs:DescribeInstances'], Resource: ['*'] }],
    };
    const event = httpEventWithBody('http/post-json.json', {
      RegionId: REGION,
      KeyPairName: KEY,
      InstanceIds: ids,
    });
    // Act
    const response = (await handler(event, context({ policy: describeOnly }))) as {
      statusCode: number;
      body: string;
    };
    // Assess
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'Forbidden.RAM' });
    expect(response.body).not.toContain('STS.');
  });
});
