/**
 * The built bundle (dist/index.js) run as FC runs it, against the ECS emulator: the unmodified
 * @alicloud/fc2 client and the CLI (a child process) through the local runtime.
 */
import { startEcsEmulator, type EcsEmulator } from '../../local/ecs-emulator';
import { startFcRuntime, type FcRuntime } from '../../local/fc-runtime';
import type { MergedResult } from '../../cli/result';
import { buildCli, cliEnv, fc2Client, requireBuiltBundle, runCli, waitFor } from './helpers';

const REGION = 'cn-hangzhou';
const KEY = 'leaked-key';

describe('detach-key-pair through the local FC runtime', () => {
  let emulator: EcsEmulator;
  let runtime: FcRuntime;

  beforeAll(async () => {
    requireBuiltBundle();
    await buildCli();
    emulator = await startEcsEmulator();
    runtime = await startFcRuntime({
      ecsEmulator: emulator,
      env: { ECS_ENDPOINT: emulator.url, LOG_LEVEL: 'silent', ALLOWED_REGIONS: REGION },
    });
  });

  afterAll(async () => {
    await runtime?.stop();
    await emulator?.stop();
  });

  beforeEach(() => {
    emulator.reset();
    emulator.state.createKeyPair(REGION, KEY);
  });

  const seed = (count: number): string[] =>
    emulator.state.seedFleet({ regionId: REGION, count, keyPairName: KEY });
  const payload = (ids: string[], dryRun = false): string =>
    JSON.stringify({ RegionId: REGION, KeyPairName: KEY, InstanceIds: ids, DryRun: dryRun });

  it('detaches synchronously over the FC 2.0 InvokeFunction API', async () => {
    // Prepare
    const ids = seed(3);

    // Act
    const reply = await fc2Client(runtime).invokeFunction(
      runtime.serviceName,
      runtime.functionName,
      payload(ids),
    );

    // Assess
    const result = JSON.parse(String(reply.data));
    expect(reply.headers['x-fc-error-type']).toBeUndefined();
    expect(result).toMatchObject({ TotalCount: 3, DetachedCount: 3, FailCount: 0 });
    expect(ids.map((id) => emulator.state.instance(id)?.KeyPairName)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('answers an async invocation with 202, then ECS changes', async () => {
    // Prepare
    const ids = seed(2);

    // Act
    const reply = await fc2Client(runtime).invokeFunction(
      runtime.serviceName,
      runtime.functionName,
      payload(ids),
      {
        'X-Fc-Invocation-Type': 'Async',
      },
    );

    // Assess
    expect(reply.data).toBe('');
    await waitFor(() => ids.every((id) => emulator.state.instance(id)?.KeyPairName === undefined));
    await runtime.settled();
  });

  it('splits 2,000 instances across invocations and prints one merged result', async () => {
    // Prepare
    const ids = seed(2000);
    const before = runtime.invocations.length;

    // Act
    const run = await runCli(
      ['--region', REGION, '--key-pair', KEY, '--instances', ids.join(','), '--json'],
      cliEnv(runtime),
    );

    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as MergedResult;
    expect(runtime.invocations.length - before).toBe(4);
    expect(result).toMatchObject({ TotalCount: 2000, DetachedCount: 2000, FailCount: 0 });
    expect(result.RequestIds).toHaveLength(4);
    expect(new Set(result.Results.map((r) => r.InstanceId))).toEqual(new Set(ids));
    expect(ids.filter((id) => emulator.state.instance(id)?.KeyPairName !== undefined)).toEqual([]);
  });

  it('detaches through the signed HTTP trigger with --url and prints the summary table', async () => {
    // Prepare
    const ids = seed(3);

    // Act
    const run = await runCli(
      [
        '--url',
        `${runtime.url}/`,
        '--region',
        REGION,
        '--key-pair',
        KEY,
        '--instances',
        ids.join(','),
      ],
      cliEnv(runtime),
    );

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Detached\s*│\s*3/);
    expect(runtime.invocations.at(-1)?.via).toBe('http-trigger');
  });

  it('exits 2 with a clear message when FC refuses the credentials, and never runs the handler', async () => {
    // Prepare
    const ids = seed(1);
    const before = runtime.invocations.length;

    // Act
    const run = await runCli(
      ['--region', REGION, '--key-pair', KEY, '--instances', ids.join(',')],
      {
        ...cliEnv(runtime),
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wrong-secret',
      },
    );

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/refused \(HTTP 403 SignatureNotMatch\)/);
    expect(run.stderr).not.toContain(runtime.callerCredentials.accessKeySecret);
    expect(runtime.invocations).toHaveLength(before);
  });

  it('exits 2 for bad usage', async () => {
    // Prepare
    const args = ['--region', REGION, '--key-pair', KEY];

    // Act
    const run = await runCli(args, cliEnv(runtime));

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--instances or --instances-file is required/);
  });

  it('exits 1 when some instances failed', async () => {
    // Prepare
    const ids = seed(2);
    emulator.setFaults('DetachKeyPair', { error500Rate: 1 });

    // Act
    const run = await runCli(
      ['--region', REGION, '--key-pair', KEY, '--instances', ids.join(','), '--json'],
      cliEnv(runtime),
    );

    // Assess
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ TotalCount: 2, FailCount: 2 });
  });
});
