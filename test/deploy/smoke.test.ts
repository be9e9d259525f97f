import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEcsEmulator, type EcsEmulator, type RamPolicy } from '../../local/ecs-emulator';
import { DEFAULT_RETRY_POLICY } from '../../functions/detach-key-pair/src/job/retry';
import { loadEvent } from '../helpers/events';
import { readJson, repoPath, REPO_ROOT } from './support';

const BUNDLE = repoPath('dist/index.js');
const REGION = 'cn-hangzhou';
const KEY_PAIR = 'leaked-key';

interface Result {
  TotalCount: number;
  DetachedCount: number;
  FailCount: number;
  Results: { InstanceId: string; Status: string; Success: boolean }[];
}

type CredentialSource = 'context' | 'environment';

/**
 * The bundle in a fresh node, as FC runs it: the role's credentials via the context, or (a local
 * run) via the default credential chain's environment variables and an empty context.credentials.
 */
async function invokeBundle<Answer = Result>(
  emulator: EcsEmulator,
  event: unknown,
  source: CredentialSource = 'context',
  logLevel = 'silent',
): Promise<{ answer: Answer; logs: Array<Record<string, unknown>> }> {
  const credentials = emulator.issueCredentials({
    sts: true,
    policy: readJson<RamPolicy>('ram', 'function-role-policy.json'),
  });
  const context = {
    requestId: 'smoke-test-1',
    region: REGION,
    credentials: source === 'context' ? credentials : {},
    function: { name: 'detach-key-pair', handler: 'index.handler', memory: 512, timeout: 30 },
  };
  const environmentCredentials =
    source === 'environment'
      ? {
          ALIBABA_CLOUD_ACCESS_KEY_ID: credentials.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: credentials.accessKeySecret,
          ALIBABA_CLOUD_SECURITY_TOKEN: credentials.securityToken,
        }
      : {};
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--enable-source-maps',
      ...['--import', repoPath('test/deploy/fixtures/no-network.mjs')],
      repoPath('test/deploy/fixtures/invoke-bundle.mjs'),
      ...[BUNDLE, JSON.stringify(event), JSON.stringify(context)],
    ],
    {
      cwd: REPO_ROOT,
      // ALIBABA_CLOUD_* variables only for the default chain, so the source tested is the one used.
      env: {
        ...environmentCredentials,
        PATH: process.env.PATH,
        NO_NETWORK_LOG: join(tmpdir(), 'detach-key-pair-smoke-network.log'),
        ECS_ENDPOINT: emulator.url,
        ALLOWED_REGIONS: REGION,
        LOG_LEVEL: logLevel,
      },
    },
  );
  // The function logs JSON lines to stdout; the fixture prints the answer last, without a newline.
  const lines = stdout.split('\n');
  return {
    answer: JSON.parse(lines.pop() ?? '') as Answer,
    logs: lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('dist/index.js', () => {
  let emulator: EcsEmulator;

  beforeAll(async () => {
    if (!existsSync(BUNDLE))
      throw new Error('dist/index.js is missing: run `npm run build` first.');
    emulator = await startEcsEmulator({ port: 0, seed: 42 });
  });

  afterAll(async () => {
    await emulator?.stop();
  });

  afterEach(() => {
    emulator.clearFaults();
  });

  it.each<CredentialSource>(['context', 'environment'])(
    'detaches against the emulator with credentials limited to the role policy, from the %s',
    async (source) => {
      // Prepare
      emulator.state.createKeyPair(REGION, KEY_PAIR);
      const instanceIds = emulator.state.seedFleet({
        regionId: REGION,
        count: 3,
        keyPairName: KEY_PAIR,
      });
      const event = { RegionId: REGION, KeyPairName: KEY_PAIR, InstanceIds: instanceIds };

      // Act
      const { answer: result } = await invokeBundle(emulator, event, source);

      // Assess
      expect(result).toMatchObject({ TotalCount: 3, DetachedCount: 3, FailCount: 0 });
      expect(result.Results.map((entry) => entry.Status)).toEqual([
        'Detached',
        'Detached',
        'Detached',
      ]);
      expect(instanceIds.map((id) => emulator.state.instance(id)?.KeyPairName)).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
      expect(emulator.requestLog.map((entry) => entry.status)).not.toContain(403);
    },
    30_000,
  );

  it('reads an error that comes as XML, through the SDK path it loads only then', async () => {
    // Prepare: an error answered in XML is parsed by ecs-sdk-rare.js, which no other test loads.
    emulator.reset();
    emulator.state.createKeyPair(REGION, KEY_PAIR);
    const instanceIds = emulator.state.seedFleet({
      regionId: REGION,
      count: 2,
      keyPairName: KEY_PAIR,
    });
    emulator.setFaults('*', { xmlErrorRate: 1 });
    const event = {
      ...loadEvent<Record<string, unknown>>('http/post-json.json'),
      body: JSON.stringify({ RegionId: REGION, KeyPairName: KEY_PAIR, InstanceIds: instanceIds }),
    };

    // Act
    const { answer, logs } = await invokeBundle<{ statusCode: number; body: string }>(
      emulator,
      event,
      'context',
      'error',
    );

    // Assess: the code and the request id can only have come from the XML; the server error was
    // retried as such, every attempt the retry policy allows.
    const problem = JSON.parse(answer.body) as { status: number; code: string };
    expect(answer.statusCode).toBe(502);
    expect(problem).toMatchObject({ status: 502, code: 'ServiceUnavailable' });
    const attempts = emulator.requestLog.filter((entry) => entry.action === 'DescribeInstances');
    expect(attempts).toHaveLength(DEFAULT_RETRY_POLICY.maxAttempts);
    const failure = logs.find((line) => line.message === 'request failed');
    expect(failure?.error).toMatchObject({
      name: 'EcsCallError',
      code: 'ServiceUnavailable',
      kind: 'server',
      statusCode: 503,
      requestId: attempts.at(-1)?.requestId,
    });
  }, 30_000);
});
