/**
 * The built bundle (dist/index.js) run as FC runs it, against the ECS emulator: the unmodified
 * @alicloud/fc2 client and the CLI (a child process) through the local runtime.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EcsCallError } from '../../functions/detach-key-pair/src/errors';
import {
  jsonResponse,
  problemResponse,
  type HttpResponse,
} from '../../functions/detach-key-pair/src/present/http-reply';
import type { DetachRequest } from '../../functions/detach-key-pair/src/request';
import { buildResult } from '../../functions/detach-key-pair/src/job/assemble';
import { startEcsEmulator, type EcsEmulator } from '../../local/ecs-emulator';
import { startFcRuntime, type FcRuntime } from '../../local/fc-runtime';
import type { MergedResult } from '../../cli/result';
import { expectSchemaValid } from '../helpers/result-schema';
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
    expectSchemaValid(result);
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

  it('exits 2 naming the field when the function refuses the request over the FC API', async () => {
    // Prepare: the runtime's ALLOWED_REGIONS holds only cn-hangzhou.
    const ids = seed(1);
    const before = runtime.invocations.length;

    // Act
    const run = await runCli(
      ['--region', 'cn-beijing', '--key-pair', KEY, '--instances', ids.join(',')],
      cliEnv(runtime),
    );

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      'refused (PolicyDenied): Region cn-beijing is not in ALLOWED_REGIONS (cn-hangzhou). (/RegionId: Region cn-beijing',
    );
    expect(runtime.invocations.length - before).toBe(1);
    expect(emulator.state.instance(ids[0])?.KeyPairName).toBe(KEY);
  });

  it('exits 2 listing malformed ids before any invocation', async () => {
    // Prepare
    const ids = seed(3);
    const before = runtime.invocations.length;

    // Act
    const run = await runCli(
      [
        ...['--region', REGION, '--key-pair', KEY, '--chunk-size', '1'],
        ...['--instances', [ids[0], 'i-Typo', ids[1], ids[2], 'web-01'].join(',')],
      ],
      cliEnv(runtime),
    );

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '2 of 5 ids are not instance ids such as i-bp1d6tsvznfghy7y1234: "i-Typo", "web-01"; nothing was sent',
    );
    expect(runtime.invocations).toHaveLength(before);
    expect(ids.map((id) => emulator.state.instance(id)?.KeyPairName)).toEqual([KEY, KEY, KEY]);
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

/**
 * A refusal after other invocations already returned results cannot be staged through the
 * runtime on cue, so a stub trigger answers each invocation with the function's own presenters.
 */
describe('the CLI when a refusal comes after results', () => {
  let server: Server;
  let url: string;
  let requests: DetachRequest[];
  const ids = ['i-bp1d6tsvznfghy7y0001', 'i-bp1d6tsvznfghy7y0002', 'i-bp1d6tsvznfghy7y0003'];

  /** The function's answer when it detached every instance of the request. */
  const detached = (requestId: string, request: DetachRequest): HttpResponse =>
    jsonResponse(
      200,
      buildResult(
        requestId,
        request,
        new Map(
          request.InstanceIds.map((id) => [
            id,
            { status: 'Detached', code: '200', message: 'successful', retryable: false },
          ]),
        ),
        [`ecs-${requestId}`],
      ),
    );
  const denied = new EcsCallError('DetachKeyPair', 'forbidden', 'Forbidden.RAM', 'RAM says no');

  beforeAll(async () => {
    await buildCli();
    // The first invocation detaches; every later one is refused as ECS refused the function's role.
    server = createServer((req, res) => {
      const body: Buffer[] = [];
      req.on('data', (chunk: Buffer) => body.push(chunk));
      req.on('end', () => {
        requests.push(JSON.parse(Buffer.concat(body).toString()) as DetachRequest);
        const response =
          requests.length === 1
            ? detached('req-1', requests[0])
            : problemResponse(denied, `req-${requests.length}`);
        res.writeHead(response.statusCode, response.headers).end(response.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(() => {
    requests = [];
  });

  it('prints the results obtained, then the refusal, and exits 2', async () => {
    // Prepare
    const args = [
      ...['--url', url, '--region', REGION, '--key-pair', KEY, '--instances', ids.join(',')],
      ...['--chunk-size', '1', '--concurrency', '1', '--json'],
    ];

    // Act
    const run = await runCli(args, {
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret',
    });

    // Assess
    expect(run.code).toBe(2);
    expect(requests).toHaveLength(2);
    expect(JSON.parse(run.stdout)).toMatchObject({
      TotalCount: 1,
      DetachedCount: 1,
      Results: [{ InstanceId: ids[0], Status: 'Detached' }],
      RequestIds: ['req-1'],
    });
    expect(run.stderr).toContain('the result above covers 1 of 3 instances');
    expect(run.stderr).toContain('refused (HTTP 403 Forbidden.RAM): RAM says no');
  });

  it('prints the summary table of what was obtained without --json', async () => {
    // Prepare
    const args = [
      ...['--url', url, '--region', REGION, '--key-pair', KEY, '--instances', ids.join(',')],
      ...['--chunk-size', '1', '--concurrency', '1'],
    ];

    // Act
    const run = await runCli(args, {
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret',
    });

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/Detached\s*│\s*1/);
    expect(run.stderr).toContain('refused (HTTP 403 Forbidden.RAM)');
  });
});
