/**
 * Finding every holder for real: the built bundle, through the local FC runtime, against an
 * emulated account of three regions in which the key exists in two. The function is given no
 * ids: it selects by key, tag and region, refuses a selection the caller did not expect, and
 * deletes the key pair only where nothing holds it any more.
 */
import { startEcsEmulator, type EcsEmulator } from '../../local/ecs-emulator';
import { startFcRuntime, type FcRuntime } from '../../local/fc-runtime';
import type { DetachResult } from '../../functions/detach-key-pair/src/result';
import { buildCli, cliEnv, fc2Client, requireBuiltBundle, runCli } from './helpers';
import { FUNCTION_ROLE_POLICY } from '../helpers/ram';
import { expectSchemaValid } from '../helpers/result-schema';

const KEY = 'leaked-key';
const HANGZHOU = 'cn-hangzhou';
const SHANGHAI = 'cn-shanghai';
const BEIJING = 'cn-beijing';
const PROD = [{ Key: 'env', Value: 'prod' }];

interface ErrorAnswer {
  Code: string;
  Message: string;
}

describe('finding every holder through the built bundle', () => {
  let emulator: EcsEmulator;
  let runtime: FcRuntime;
  let fleet: { hangzhou: string[]; hangzhouProd: string[]; shanghai: string[]; others: string[] };

  beforeAll(async () => {
    requireBuiltBundle();
    await buildCli();
    emulator = await startEcsEmulator({ timing: { agentDelayMs: 10 } });
    runtime = await startFcRuntime({
      ecsEmulator: emulator,
      rolePolicy: FUNCTION_ROLE_POLICY,
      timeoutSeconds: 60,
      env: { ECS_ENDPOINT: emulator.url, LOG_LEVEL: 'silent' },
    });
  });

  afterAll(async () => {
    await runtime?.stop();
    await emulator?.stop();
  });

  beforeEach(() => {
    emulator.reset();
    const { state } = emulator;
    state.createKeyPair(HANGZHOU, KEY, 'ed25519');
    state.createKeyPair(SHANGHAI, KEY, 'ed25519');
    const hangzhouProd = state.seedFleet({
      regionId: HANGZHOU,
      count: 3,
      keyPairName: KEY,
      tags: PROD,
    });
    fleet = {
      hangzhouProd,
      hangzhou: [
        ...hangzhouProd,
        ...state.seedFleet({ regionId: HANGZHOU, count: 120, keyPairName: KEY }),
      ],
      shanghai: state.seedFleet({ regionId: SHANGHAI, count: 4, keyPairName: KEY }),
      others: [
        ...state.seedFleet({ regionId: HANGZHOU, count: 30 }),
        ...state.seedFleet({ regionId: HANGZHOU, count: 2, osType: 'windows' }),
        ...state.seedFleet({ regionId: SHANGHAI, count: 5, keyPairName: 'other-key' }),
        ...state.seedFleet({ regionId: BEIJING, count: 10 }),
      ],
    };
  });

  async function invoke<T = DetachResult>(request: object): Promise<T> {
    const reply = await fc2Client(runtime).invokeFunction(
      runtime.serviceName,
      runtime.functionName,
      JSON.stringify({ KeyPairName: KEY, Target: 'Holders', ...request }),
    );
    const answer: unknown = JSON.parse(String(reply.data));
    // A refusal is an error object; every result must be what the published schema says.
    if (typeof answer === 'object' && answer !== null && 'Results' in answer) {
      expectSchemaValid(answer);
    }
    return answer as T;
  }

  const holding = (ids: string[]): string[] =>
    ids.filter((id) => emulator.state.instance(id)?.KeyPairName === KEY);
  const detachCalls = () =>
    emulator.requestLog.filter((entry) => entry.action === 'DetachKeyPair').length;

  it('"*" finds exactly the holders, in the two regions that have the key', async () => {
    // Prepare
    const othersBefore = fleet.others.map((id) => emulator.state.instance(id)?.KeyPairName);

    // Act
    const result = await invoke({ RegionId: '*' });

    // Assess
    const holders = [...fleet.hangzhou, ...fleet.shanghai];
    expect(result).toMatchObject({ TotalCount: holders.length, DetachedCount: holders.length });
    expect(result.Results.map((entry) => entry.InstanceId).sort()).toEqual([...holders].sort());
    expect(result.Regions?.map((region) => [region.RegionId, region.SelectedCount])).toEqual([
      [HANGZHOU, fleet.hangzhou.length],
      [SHANGHAI, fleet.shanghai.length],
    ]);
    expect(holding(holders)).toEqual([]);
    expect(fleet.others.map((id) => emulator.state.instance(id)?.KeyPairName)).toEqual(
      othersBefore,
    );
    // Pages grow with the holders, not with the account: 123 holders there, 4 here, and the plan
    // describes none of them again.
    const describes = emulator.requestLog.filter((entry) => entry.action === 'DescribeInstances');
    expect(describes.map((entry) => entry.params.KeyPairName)).toEqual([KEY, KEY, KEY]);
  });

  it('narrows to the tagged holders, and DeleteKeyPair deletes only where none is left', async () => {
    // Act
    const result = await invoke({
      RegionId: [HANGZHOU, SHANGHAI],
      Tags: PROD,
      DeleteKeyPair: true,
    });

    // Assess
    expect(result.Results.map((entry) => entry.InstanceId)).toEqual(fleet.hangzhouProd);
    expect(holding(fleet.hangzhou)).toEqual(fleet.hangzhou.slice(fleet.hangzhouProd.length));
    expect(result.Regions).toEqual([
      expect.objectContaining({
        RegionId: HANGZHOU,
        KeyPair: expect.objectContaining({
          Status: 'Kept',
          Code: 'InvalidParameter.KeypairAlreadyAttachedInstance',
        }),
      }),
      expect.objectContaining({
        RegionId: SHANGHAI,
        SelectedCount: 0,
        KeyPair: expect.objectContaining({
          Status: 'Kept',
          Code: 'InvalidParameter.KeypairAlreadyAttachedInstance',
        }),
      }),
    ]);
    expect(emulator.state.keyPair(HANGZHOU, KEY)).toBeDefined();

    // Act: every holder, this time
    const everyHolder = await invoke({ RegionId: '*', DeleteKeyPair: true });

    // Assess
    expect(everyHolder.Regions?.map((region) => region.KeyPair?.Status)).toEqual([
      'Deleted',
      'Deleted',
    ]);
    expect([HANGZHOU, SHANGHAI].map((r) => emulator.state.keyPair(r, KEY))).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('changes nothing when ExpectedCount is wrong, and says what it found', async () => {
    // Act
    const refused = await invoke<ErrorAnswer>({ RegionId: '*', ExpectedCount: 100 });

    // Assess
    expect(refused.Code).toBe('SelectionMismatch');
    expect(refused.Message).toContain(
      `ExpectedCount is 100, but ${fleet.hangzhou.length + fleet.shanghai.length} instance(s)`,
    );
    expect(refused.Message).toContain(`${SHANGHAI}: 4, e.g. ${fleet.shanghai[0]}`);
    expect(detachCalls()).toBe(0);
    expect(holding([...fleet.hangzhou, ...fleet.shanghai])).toHaveLength(127);
  });

  it('answers 404 for "*" when no region has the key pair', async () => {
    // Act
    const refused = await invoke<ErrorAnswer>({ RegionId: '*', KeyPairName: 'no-such-key' });

    // Assess
    expect(refused).toMatchObject({ Code: 'InvalidKeyPairName.NotFound' });
  });

  it('AllInstances with Online cleans a guest whose key was detached earlier without a restart', async () => {
    // Prepare: a Detach-only run leaves the key in the guest until it restarts.
    const [earlier] = fleet.shanghai;
    emulator.state.guestRoot(earlier);
    await invoke({ RegionId: SHANGHAI, Target: undefined, InstanceIds: [earlier] });
    const guestHolds = () =>
      (emulator.state.readGuestFile(earlier, '/root/.ssh/authorized_keys') ?? '').includes(
        (emulator.state.keyPair(SHANGHAI, KEY)?.publicKey ?? '').split(' ')[1],
      );
    const heldBefore = guestHolds();

    // Act
    const result = await invoke({ RegionId: SHANGHAI, Target: 'AllInstances', Mode: 'Online' });

    // Assess
    expect(heldBefore).toBe(true);
    expect(guestHolds()).toBe(false);
    expect(result.Results.find((entry) => entry.InstanceId === earlier)).toMatchObject({
      Status: 'Revoked',
      KeyRemoved: true,
    });
    expect(result).toMatchObject({ TotalCount: 9, FailCount: 0 });
    expect(holding(fleet.shanghai)).toEqual([]);
  });

  it('the CLI selects with --target, --tag, --regions all and --delete-key-pair', async () => {
    // Act
    const run = await runCli(
      [
        '--key-pair',
        KEY,
        '--target',
        'holders',
        '--regions',
        'all',
        '--tag',
        'env=prod',
        '--expected-count',
        '3',
        '--delete-key-pair',
        '--json',
      ],
      cliEnv(runtime),
    );

    // Assess
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as DetachResult;
    expect(result.Results.map((entry) => entry.InstanceId)).toEqual(fleet.hangzhouProd);
    expect(result.Regions?.map((region) => region.KeyPair?.Status)).toEqual(['Kept', 'Kept']);
    expect(holding(fleet.hangzhouProd)).toEqual([]);
  });
});
