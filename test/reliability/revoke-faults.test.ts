/**
 * Online and Reboot modes under faults, from src over the real SDK against the emulator's guests:
 * agents offline or never answering, scripts that hang, RunCommand answers lost, restarts stuck.
 * After every invocation two things must hold: no instance is reported KeyRemoved while a guest
 * file still holds the key, and no instance is detached whose guest still holds it. Then the
 * faults clear, as an operator would fix them, and the same request converges.
 */
import { startEcsEmulator, type EcsEmulator } from '../../local/ecs-emulator';
import { handler } from '../../functions/detach-key-pair/src';
import type { DetachResult } from '../../functions/detach-key-pair/src/result';
import { RELIABILITY, report } from './settings';
import { emulatorContext, expectOneEntryEach, KEY, REGION, statusesOf } from './support';
import type { RamPolicy } from '../../local/ecs-emulator';
import { REBOOT_ROLE_POLICY } from '../helpers/ram';

/** Every file the seeded guests' sshd reads keys from, or would by default. */
const KEY_FILES = ['/root/.ssh/authorized_keys', '/root/.ssh/authorized_keys2'];

describe('revocation under faults', () => {
  let emulator: EcsEmulator;
  let blob: string;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    emulator = await startEcsEmulator({
      port: 0,
      seed: RELIABILITY.seed,
      timing: { rebootMs: 100, agentDelayMs: 5 },
      maxConcurrentScripts: 8,
    });
  });

  beforeEach(() => {
    emulator.reset();
    emulator.state.createKeyPair(REGION, KEY, 'ed25519');
    blob = (emulator.state.keyPair(REGION, KEY)?.publicKey ?? '').split(' ')[1];
    process.env = {
      ...savedEnv,
      ECS_ENDPOINT: emulator.url,
      LOG_LEVEL: 'silent',
      MAX_INSTANCES: '100000',
      ALLOWED_MODES: 'Detach,Online,Reboot',
    };
  });

  afterAll(async () => {
    process.env = savedEnv;
    await emulator.stop();
  });

  const guestHoldsKey = (id: string): boolean =>
    KEY_FILES.some((path) => (emulator.state.readGuestFile(id, path) ?? '').includes(blob));
  const attached = (id: string): boolean => emulator.state.instance(id)?.KeyPairName === KEY;

  /** One invocation; the two invariants are checked against the emulator's guests and records. */
  async function invokeOnce(
    ids: string[],
    request: object,
    options: { policy?: RamPolicy; timeoutSeconds: number },
  ) {
    const before = new Set(ids.filter(attached));
    const { context } = emulatorContext(emulator, options);
    let result: DetachResult | undefined;
    try {
      const payload = { RegionId: REGION, KeyPairName: KEY, InstanceIds: ids, ...request };
      result = (await handler(Buffer.from(JSON.stringify(payload)), context)) as DetachResult;
    } catch (error) {
      expect((error as Error).name).toMatch(/^(DeadlineExceeded|Throttling.*|ServiceUnavailable)$/);
    }
    for (const id of [...before].filter((held) => !attached(held))) {
      // Detached only once the guest no longer held the key (Online), or the result says a
      // restart is still required (Reboot, before its wave).
      if ((request as { Mode?: string }).Mode === 'Online') expect(guestHoldsKey(id)).toBe(false);
    }
    if (result === undefined || !('Results' in result)) return result;
    expectOneEntryEach(result, ids);
    for (const entry of result.Results) {
      if (entry.KeyRemoved) expect(guestHoldsKey(entry.InstanceId)).toBe(false);
      if (entry.Status === 'Detached') expect(before).toContain(entry.InstanceId);
    }
    return result;
  }

  it('Online: agents offline or mute, hanging scripts and lost RunCommand answers never count as removed', async () => {
    // Prepare
    const ids = emulator.state.seedFleet({
      regionId: REGION,
      // Every guest's script really runs on this machine, a few at a time: a fleet much larger
      // than this would measure the machine's process spawning, not the function.
      count: RELIABILITY.faultFleet > 1000 ? 80 : 40,
      keyPairName: KEY,
    });
    const [offline, mute, hanging] = ids;
    emulator.setInstanceFaults(offline, { agentOffline: true });
    emulator.setInstanceFaults(mute, { agentUnresponsive: true });
    emulator.setInstanceFaults(hanging, { scriptHangs: true });
    emulator.setFaults('RunCommand', { hangMs: 20_000, hangRate: 0.3, throttleRate: 0.2 });
    emulator.setFaults('DescribeInvocations', { throttleRate: 0.2, error503Rate: 0.1 });

    // Act
    // The faulty run ends at its deadline (the mute agent, the hanging script); the later runs
    // get long enough for the whole fleet's scripts to pass the emulator's few slots.
    const faulty = await invokeOnce(ids, { Mode: 'Online' }, { timeoutSeconds: 15 });
    const online = { timeoutSeconds: 40 };
    emulator.clearFaults();
    const rounds: Array<DetachResult | undefined> = [];
    while (ids.some((id) => guestHoldsKey(id) || attached(id)) && rounds.length < 4) {
      rounds.push(await invokeOnce(ids, { Mode: 'Online' }, online));
    }

    // Assess
    if (faulty && 'Results' in faulty) {
      const byId = new Map(faulty.Results.map((entry) => [entry.InstanceId, entry]));
      expect(byId.get(offline)).toMatchObject({ Status: 'Failed', Code: 'ClientNotRunning' });
      expect([mute, hanging].map((id) => byId.get(id)?.Status)).toEqual(['Failed', 'Failed']);
    }
    expect(ids.filter((id) => guestHoldsKey(id) || attached(id))).toStrictEqual([]);
    report('revoke-online-faults', {
      fleet: ids.length,
      faulty: faulty && 'Results' in faulty ? statusesOf(faulty) : 'thrown',
      rounds: rounds.map((round) => (round && 'Results' in round ? statusesOf(round) : 'thrown')),
    });
  });

  it('Reboot: a restart stuck in Starting is reported, never Restarted', async () => {
    // Prepare
    const ids = emulator.state.seedFleet({ regionId: REGION, count: 6, keyPairName: KEY });
    emulator.setInstanceFaults(ids[0], { stuckInStarting: true });

    // Act
    const result = await invokeOnce(
      ids,
      { Mode: 'Reboot', MaxUnavailable: 3 },
      { policy: REBOOT_ROLE_POLICY, timeoutSeconds: 15 },
    );

    // Assess
    const byId = new Map(result?.Results.map((entry) => [entry.InstanceId, entry]));
    expect(byId.get(ids[0])).toMatchObject({ Status: 'Failed', Restart: 'Failed' });
    for (const id of ids.slice(1)) {
      const entry = byId.get(id);
      if (entry?.Restart === 'Restarted') {
        expect(emulator.state.instance(id)?.Status).toBe('Running');
        expect(guestHoldsKey(id)).toBe(false);
      } else {
        expect(entry).toMatchObject({ Status: 'Detached', RestartRequired: true });
      }
    }
  });
});
