import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEcsEmulator, type EcsEmulator, type RamPolicy } from '../../local/ecs-emulator';
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

/** The bundle in a fresh node, as FC runs it: only the role's credentials, via the context. */
async function invokeBundle(emulator: EcsEmulator, event: unknown): Promise<Result> {
  const credentials = emulator.issueCredentials({
    sts: true,
    policy: readJson<RamPolicy>('ram', 'function-role-policy.json'),
  });
  const context = {
    requestId: 'smoke-test-1',
    region: REGION,
    credentials,
    function: { name: 'detach-key-pair', handler: 'index.handler', memory: 512, timeout: 30 },
  };
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
      // No ALIBABA_CLOUD_* variables: the context's credentials must be the ones used.
      env: {
        PATH: process.env.PATH,
        NO_NETWORK_LOG: join(tmpdir(), 'detach-key-pair-smoke-network.log'),
        ECS_ENDPOINT: emulator.url,
        ALLOWED_REGIONS: REGION,
        LOG_LEVEL: 'silent',
      },
    },
  );
  return JSON.parse(stdout) as Result;
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

  it('detaches against the emulator with credentials limited to the role policy', async () => {
    // Prepare
    emulator.state.createKeyPair(REGION, KEY_PAIR);
    const instanceIds = emulator.state.seedFleet({
      regionId: REGION,
      count: 3,
      keyPairName: KEY_PAIR,
    });
    const event = { RegionId: REGION, KeyPairName: KEY_PAIR, InstanceIds: instanceIds };

    // Act
    const result = await invokeBundle(emulator, event);

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
  }, 30_000);
});
