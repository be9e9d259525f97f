/**
 * Revocation for real: the built bundle, through the local FC runtime, against the emulator's
 * guests. After Online no guest file holds the key; failures keep the key pair attached; Reboot
 * restarts in waves no wider than MaxUnavailable and the restarted guests drop the key.
 */
import { startEcsEmulator, type EcsEmulator } from '../../local/ecs-emulator';
import type { FcRuntime } from '../../local/fc-runtime';
import type { DetachResult, InstanceResult } from '../../functions/detach-key-pair/src/result';
import { expectSchemaValid } from '../helpers/result-schema';
import { fc2Client, requireBuiltBundle, startRuntimesPerMode } from './helpers';

const REGION = 'cn-hangzhou';
const KEY = 'leaked-key';

/** Guest files the key may be in: root's, another user's, and the second file sshd reads. */
const KEY_FILES = [
  '/root/.ssh/authorized_keys',
  '/home/ecs-user/.ssh/authorized_keys',
  '/root/.ssh/authorized_keys2',
];

describe('revocation through the built bundle', () => {
  let emulator: EcsEmulator;
  let online: FcRuntime;
  let reboot: FcRuntime;
  let keyLine: string;

  beforeAll(async () => {
    requireBuiltBundle();
    emulator = await startEcsEmulator({ timing: { rebootMs: 200, agentDelayMs: 10 } });
    // The online timeout is short, so the tests that wait for the deadline stay short.
    ({ online, reboot } = await startRuntimesPerMode(emulator, { online: 12, reboot: 60 }));
  });

  afterAll(async () => {
    await online?.stop();
    await reboot?.stop();
    await emulator?.stop();
  });

  beforeEach(() => {
    emulator.reset();
    emulator.state.createKeyPair(REGION, KEY, 'ed25519');
    keyLine = emulator.state.keyPair(REGION, KEY)?.publicKey ?? '';
  });

  /** Linux instances holding the key, with it also in every other file a user's sshd reads. */
  function seedHolders(count: number): string[] {
    const ids = emulator.state.seedFleet({ regionId: REGION, count, keyPairName: KEY });
    for (const id of ids) {
      for (const path of KEY_FILES.slice(1)) {
        emulator.state.writeGuestFile(id, path, `# kept\n${keyLine}\nssh-ed25519 AAAAC3Nz other\n`);
      }
    }
    return ids;
  }

  const guestFile = (id: string, path: string): string =>
    emulator.state.readGuestFile(id, path) ?? '';
  const holdsKey = (id: string): boolean[] =>
    KEY_FILES.map((path) => guestFile(id, path).includes(keyLine.split(' ')[1]));

  const call = (runtime: FcRuntime, request: object) =>
    fc2Client(runtime).invokeFunction(
      runtime.serviceName,
      runtime.functionName,
      JSON.stringify({ RegionId: REGION, KeyPairName: KEY, ...request }),
    );

  async function invoke(runtime: FcRuntime, request: object): Promise<DetachResult> {
    const reply = await call(runtime, request);
    const result: unknown = JSON.parse(String(reply.data));
    expectSchemaValid(result);
    return result as DetachResult;
  }

  const entry = (result: DetachResult, id: string): InstanceResult | undefined =>
    result.Results.find((found) => found.InstanceId === id);

  it('Online: no guest file of any user holds the key, every other line stays as it was', async () => {
    // Prepare
    const ids = seedHolders(3);
    const before = ids.map((id) => KEY_FILES.map((path) => guestFile(id, path)));

    // Act
    const result = await invoke(online, { Mode: 'Online', InstanceIds: ids });

    // Assess
    expect(result).toMatchObject({ TotalCount: 3, DetachedCount: 3, FailCount: 0 });
    expect(ids.map(holdsKey)).toEqual(ids.map(() => [false, false, false]));
    ids.forEach((id, index) =>
      KEY_FILES.forEach((path, file) =>
        expect(guestFile(id, path)).toBe(
          before[index][file]
            .split('\n')
            .filter((line) => !line.includes(keyLine.split(' ')[1]))
            .join('\n'),
        ),
      ),
    );
    expect(entry(result, ids[0])).toMatchObject({
      KeyRemoved: true,
      RestartRequired: false,
      PasswordLogin: 'AfterNextRestart',
      ExitCode: 0,
    });
    expect(ids.map((id) => emulator.state.instance(id)?.KeyPairName)).toEqual(
      ids.map(() => undefined),
    );
  });

  it('Online cleans a guest whose key pair was detached earlier without a restart', async () => {
    // Prepare
    const [id] = seedHolders(1);
    const detached = await invoke(online, { InstanceIds: [id] });

    // Act
    const result = await invoke(online, { Mode: 'Online', InstanceIds: [id] });

    // Assess
    expect(entry(detached, id)).toMatchObject({ Status: 'Detached', RestartRequired: true });
    expect(entry(result, id)).toMatchObject({ Status: 'Revoked', KeyRemoved: true });
    expect(holdsKey(id)).toEqual([false, false, false]);
  });

  it('keeps the key attached and reported where the agent is offline or the script hangs', async () => {
    // Prepare
    const [offline, hanging, fine] = seedHolders(3);
    emulator.setInstanceFaults(offline, { agentOffline: true });
    emulator.setInstanceFaults(hanging, { scriptHangs: true });

    // Act
    const result = await invoke(online, { Mode: 'Online', InstanceIds: [offline, hanging, fine] });

    // Assess
    expect(entry(result, offline)).toMatchObject({ Status: 'Failed', Code: 'ClientNotRunning' });
    expect(entry(result, hanging)).toMatchObject({ Status: 'Failed', Retryable: true });
    expect(entry(result, fine)).toMatchObject({ Status: 'Detached', KeyRemoved: true });
    expect([offline, hanging].map((id) => emulator.state.instance(id)?.KeyPairName)).toEqual([
      KEY,
      KEY,
    ]);
    expect(holdsKey(offline)).toEqual([true, true, true]);
  });

  it('never reports a success when the answer to RunCommand is lost', async () => {
    // Prepare
    const ids = seedHolders(2);
    emulator.setFaults('RunCommand', { hangMs: 60_000 });

    // Act
    const reply = await call(online, { Mode: 'Online', InstanceIds: ids });

    // Assess: no instance answered for, so the request fails as a whole, retryably.
    expect(reply.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect(reply.data).toMatchObject({ errorType: 'DeadlineExceeded' });
    expect(emulator.requestLog.some((logged) => logged.action === 'DetachKeyPair')).toBe(false);
    expect(ids.map((id) => emulator.state.instance(id)?.KeyPairName)).toEqual([KEY, KEY]);
  });

  it('Reboot: restarts in waves never wider than MaxUnavailable, and the guests lose the key', async () => {
    // Prepare
    const ids = emulator.state.seedFleet({ regionId: REGION, count: 5, keyPairName: KEY });

    // Act
    const result = await invoke(reboot, { Mode: 'Reboot', MaxUnavailable: 2, InstanceIds: ids });

    // Assess
    const waves = emulator.requestLog
      .filter((logged) => logged.action === 'RebootInstances')
      .map((logged) => Object.keys(logged.params).filter((name) => name.startsWith('InstanceId.')));
    expect(waves.map((wave) => wave.length)).toEqual([2, 2, 1]);
    expect(result.Results.map((found) => found.Restart)).toEqual(ids.map(() => 'Restarted'));
    expect(entry(result, ids[0])).toMatchObject({ PasswordLogin: 'Now', RestartRequired: false });
    expect(ids.map((id) => guestFile(id, '/root/.ssh/authorized_keys'))).toEqual(
      ids.map(() => expect.not.stringContaining(keyLine.split(' ')[1])),
    );
  });
});
