import { Deadline } from '../../functions/detach-key-pair/src/deadline';
import { buildResult } from '../../functions/detach-key-pair/src/job/assemble';
import { DEFAULT_RETRY_POLICY } from '../../functions/detach-key-pair/src/job/retry';
import { runJob } from '../../functions/detach-key-pair/src/job/run';
import type { DetachRequest } from '../../functions/detach-key-pair/src/request';
import { FakeClock } from '../helpers/clock';
import { ecsError, FakeEcs, instanceIds, type FakeInstance } from '../helpers/fake-ecs';
import { jobRequest } from '../helpers/requests';

function setup(deadlineMs = 600_000) {
  const ecs = new FakeEcs();
  const clock = new FakeClock();
  const run = async (request: Partial<DetachRequest> & { InstanceIds: string[] }) => {
    const full = jobRequest(request);
    const job = await runJob(full, {
      port: ecs,
      deadline: new Deadline(clock.now() + deadlineMs, clock),
      clock,
      retryPolicy: DEFAULT_RETRY_POLICY,
      concurrency: 4,
    });
    const result = buildResult('req-1', full, job.outcomes, job.ecsRequestIds, job);
    return new Map(result.Results.map((entry) => [entry.InstanceId, entry]));
  };
  const seed = (prefix: string, count: number, instance: FakeInstance) =>
    ecs.seed(instanceIds(count, prefix), instance);
  return { ecs, clock, run, seed };
}

describe('runJob in Mode Detach', () => {
  it('says a restart is still required, and that password login comes back with it', async () => {
    // Prepare
    const { run, seed } = setup();
    const [id] = seed('hold', 1, { osType: 'linux', keyPairName: 'k1' });
    // Act
    const results = await run({ InstanceIds: [id] });
    // Assess
    expect(results.get(id)).toMatchObject({
      Status: 'Detached',
      RestartRequired: true,
      PasswordLogin: 'AfterNextRestart',
    });
    expect(results.get(id)?.KeyRemoved).toBeUndefined();
  });
});

describe('runJob in Mode Online', () => {
  it('removes the key from every guest first, and detaches only where ECS holds it', async () => {
    // Prepare
    const { ecs, run, seed } = setup();
    const holders = seed('hold', 120, { osType: 'linux', keyPairName: 'k1', guestHoldsKey: true });
    const [leftOver] = seed('left', 1, { osType: 'linux', guestHoldsKey: true });
    const [clean] = seed('clean', 1, { osType: 'linux', keyPairName: 'k2' });
    // Act
    const results = await run({ Mode: 'Online', InstanceIds: [...holders, leftOver, clean] });
    // Assess
    expect(holders.map((id) => results.get(id)?.Status)).toEqual(holders.map(() => 'Detached'));
    expect(results.get(holders[0])).toMatchObject({
      KeyRemoved: true,
      RemovedFrom: [{ User: 'root', Path: '/root/.ssh/authorized_keys', Lines: [1] }],
      RestartRequired: false,
      PasswordLogin: 'AfterNextRestart',
      ExitCode: 0,
    });
    expect(results.get(leftOver)).toMatchObject({ Status: 'Revoked', KeyRemoved: true });
    expect(results.get(clean)).toMatchObject({ Status: 'Skipped', Code: 'KeyNotPresent' });
    expect(ecs.callsOf('DescribeKeyPairs')).toHaveLength(1);
    expect(
      ecs
        .callsOf('RunCommand')
        .map((call) => call.instanceIds.length)
        .sort((a, b) => b - a),
    ).toEqual([100, 22]);
    // Oldest first, a round stops at the first invocation still running (the fake's first read):
    // the first round reads one, the next settles it and reads the second, the last settles it.
    expect(ecs.callsOf('DescribeInvocations')).toHaveLength(4);
    expect(
      ecs.callsOf('DescribeCloudAssistantStatus').every((c) => c.instanceIds.length <= 50),
    ).toBe(true);
  });

  it('keeps the key pair attached wherever the removal did not succeed', async () => {
    // Prepare
    const { ecs, run, seed } = setup(30_000);
    const [offline] = seed('off', 1, { osType: 'linux', keyPairName: 'k1', agent: 'offline' });
    const [refusing] = seed('ref', 1, { osType: 'linux', keyPairName: 'k1', script: 'refuses' });
    const [hanging] = seed('hang', 1, { osType: 'linux', keyPairName: 'k1', script: 'hangs' });
    const [windows] = seed('win', 1, { osType: 'windows', keyPairName: 'k1' });
    // Act
    const results = await run({
      Mode: 'Online',
      InstanceIds: [offline, refusing, hanging, windows],
    });
    // Assess
    expect(results.get(offline)).toMatchObject({
      Status: 'Failed',
      Code: 'ClientNotRunning',
      Retryable: true,
      KeyRemoved: false,
    });
    expect(results.get(refusing)).toMatchObject({
      Status: 'Failed',
      Code: 'RemovalRefused',
      Retryable: false,
      ExitCode: 3,
    });
    expect(results.get(hanging)).toMatchObject({
      Status: 'Failed',
      Code: 'RemovalUnfinished',
      Retryable: true,
    });
    expect(results.get(windows)).toMatchObject({ Status: 'Failed' });
    expect(ecs.callsOf('DetachKeyPair')).toHaveLength(0);
    expect([offline, refusing, hanging].map((id) => ecs.instances.get(id)?.keyPairName)).toEqual([
      'k1',
      'k1',
      'k1',
    ]);
  });

  it.each([
    ['fails', 'RemovalFailed', true, 4],
    ['badInput', 'ExitCodeNonzero', false, 2],
    ['garbles', 'UnreadableReport', true, 0],
    ['undelivered', 'DeliveryTimeout', true, undefined],
  ] as const)(
    'reports a script that %s as %s (Retryable %s), the key pair attached',
    async (script, code, retryable, exitCode) => {
      // Prepare
      const { ecs, run, seed } = setup();
      const [id] = seed('hold', 1, { osType: 'linux', keyPairName: 'k1', script });
      // Act
      const results = await run({ Mode: 'Online', InstanceIds: [id] });
      // Assess
      expect(results.get(id)).toMatchObject({
        Status: 'Failed',
        Code: code,
        Retryable: retryable,
        KeyRemoved: false,
      });
      expect(results.get(id)?.ExitCode).toBe(exitCode);
      expect(ecs.instances.get(id)?.keyPairName).toBe('k1');
    },
  );

  it('fails the request when ECS gives no usable public key, before any guest is touched', async () => {
    // Prepare
    const { ecs, run, seed } = setup();
    const ids = seed('hold', 2, { osType: 'linux', keyPairName: 'k1' });
    ecs.publicKey = 'ssh-ed25519 not-base64!';
    // Act
    const outcome = run({ Mode: 'Online', InstanceIds: ids });
    // Assess
    await expect(outcome).rejects.toMatchObject({ code: 'InvalidPublicKey' });
    expect(ecs.callsOf('RunCommand')).toHaveLength(0);
  });

  it.each([
    'DescribeKeyPairs',
    'DescribeCloudAssistantStatus',
    'RunCommand',
    'DescribeInvocations',
  ] as const)('keeps every key pair attached when %s fails for good', async (action) => {
    // Prepare
    const { ecs, run, seed } = setup();
    const ids = seed('hold', 2, { osType: 'linux', keyPairName: 'k1' });
    ecs.failWhen(action, () => ecsError('forbidden', 'Forbidden.RAM', { statusCode: 403, action }));
    // Act
    const outcome = run({ Mode: 'Online', InstanceIds: ids });
    // Assess: a RAM denial is the answer to the whole request.
    await expect(outcome).rejects.toMatchObject({ code: 'Forbidden.RAM' });
    expect(ecs.callsOf('DetachKeyPair')).toHaveLength(0);
  });

  it('sends the same ClientToken again when the answer to RunCommand was lost', async () => {
    // Prepare
    const { ecs, run, seed } = setup();
    const ids = seed('hold', 2, { osType: 'linux', keyPairName: 'k1', guestHoldsKey: true });
    ecs.loseNextRunCommandAnswer = true;
    // Act
    const results = await run({ Mode: 'Online', InstanceIds: ids });
    // Assess
    expect(ecs.callsOf('RunCommand')).toHaveLength(2);
    expect(ecs.invocations.size).toBe(1);
    expect(ids.map((id) => results.get(id)?.Status)).toEqual(['Detached', 'Detached']);
  });

  it('converges: a second run finds nothing left and changes nothing', async () => {
    // Prepare
    const { ecs, run, seed } = setup();
    const ids = seed('hold', 3, { osType: 'linux', keyPairName: 'k1', guestHoldsKey: true });
    await run({ Mode: 'Online', InstanceIds: ids });
    const detachesBefore = ecs.callsOf('DetachKeyPair').length;
    // Act
    const again = await run({ Mode: 'Online', InstanceIds: ids });
    // Assess
    expect(ids.map((id) => again.get(id)?.Code)).toEqual(ids.map(() => 'KeyNotPresent'));
    expect(ecs.callsOf('DetachKeyPair')).toHaveLength(detachesBefore);
  });

  it('answers for the key pair before touching any guest when it does not exist', async () => {
    // Prepare
    const { ecs, run, seed } = setup();
    const ids = seed('other', 2, { osType: 'linux', keyPairName: 'k2' });
    // Act
    const outcome = run({ Mode: 'Online', KeyPairName: 'missing', InstanceIds: ids });
    // Assess
    await expect(outcome).rejects.toMatchObject({ code: 'InvalidKeyPairName.NotFound' });
    expect(ecs.callsOf('RunCommand')).toHaveLength(0);
  });

  it('plans without running anything in a dry run', async () => {
    // Prepare
    const { ecs, run, seed } = setup();
    const [holder] = seed('hold', 1, { osType: 'linux', keyPairName: 'k1' });
    const [other] = seed('other', 1, { osType: 'linux' });
    // Act
    const results = await run({ Mode: 'Online', DryRun: true, InstanceIds: [holder, other] });
    // Assess
    expect(results.get(holder)?.Status).toBe('WouldDetach');
    expect(results.get(other)?.Status).toBe('WouldRevoke');
    expect(ecs.callsOf('RunCommand')).toHaveLength(0);
    expect(ecs.callsOf('DetachKeyPair')).toHaveLength(0);
  });
});

describe('runJob in Mode Reboot', () => {
  it('restarts the detached instances in waves of at most MaxUnavailable', async () => {
    // Prepare
    const { ecs, run, seed } = setup();
    const ids = seed('hold', 7, { osType: 'linux', keyPairName: 'k1' });
    const [other] = seed('other', 1, { osType: 'linux', keyPairName: 'k2' });
    // Act
    const results = await run({ Mode: 'Reboot', MaxUnavailable: 3, InstanceIds: [...ids, other] });
    // Assess
    expect(ecs.callsOf('RebootInstances').map((call) => call.instanceIds.length)).toEqual([
      3, 3, 1,
    ]);
    expect(ecs.restarted).toEqual(ids);
    expect(results.get(ids[0])).toMatchObject({
      Status: 'Detached',
      Restart: 'Restarted',
      RestartRequired: false,
      PasswordLogin: 'Now',
    });
    expect(results.get(other)?.Restart).toBeUndefined();
  });

  it('stops before a wave the deadline cannot fit: the rest stay Detached, restart required', async () => {
    // Prepare
    // Time for one wave of one status poll (2 s), and not for a second one.
    const { run, seed } = setup(5_500);
    const ids = seed('hold', 4, { osType: 'linux', keyPairName: 'k1' });
    // Act
    const results = await run({ Mode: 'Reboot', MaxUnavailable: 2, InstanceIds: ids });
    // Assess
    expect(ids.map((id) => results.get(id)?.Restart)).toEqual([
      'Restarted',
      'Restarted',
      'NotRestarted',
      'NotRestarted',
    ]);
    expect(results.get(ids[3])).toMatchObject({ Status: 'Detached', RestartRequired: true });
  });

  it('reports a refused restart and one that never comes back, still detached', async () => {
    // Prepare
    const { run, seed } = setup();
    const [refused] = seed('ref', 1, { osType: 'linux', keyPairName: 'k1', restart: 'refused' });
    const [stuck] = seed('stuck', 1, { osType: 'linux', keyPairName: 'k1', restart: 'stuck' });
    // Act
    const results = await run({ Mode: 'Reboot', InstanceIds: [refused, stuck] });
    // Assess
    expect(results.get(refused)).toMatchObject({
      Status: 'Failed',
      Code: 'IncorrectInstanceStatus',
      Restart: 'Failed',
      RestartRequired: true,
    });
    expect(results.get(stuck)).toMatchObject({ Status: 'Failed', Code: 'RestartTimedOut' });
  });

  it('reports every restart Failed when RebootInstances fails for good', async () => {
    // Prepare
    const { ecs, run, seed } = setup();
    const ids = seed('hold', 2, { osType: 'linux', keyPairName: 'k1' });
    ecs.failWhen('RebootInstances', () =>
      ecsError('forbidden', 'Forbidden.RAM', { statusCode: 403, action: 'RebootInstances' }),
    );
    // Act
    const results = await run({ Mode: 'Reboot', InstanceIds: ids });
    // Assess
    expect(ids.map((id) => results.get(id)?.Restart)).toEqual(['Failed', 'Failed']);
    expect(ids.map((id) => results.get(id)?.Code)).toEqual(['Forbidden.RAM', 'Forbidden.RAM']);
  });

  it('shows the waves in a dry run, 10 % of the instances by default', async () => {
    // Prepare
    const { ecs, run, seed } = setup();
    const ids = seed('hold', 25, { osType: 'linux', keyPairName: 'k1' });
    // Act
    const results = await run({ Mode: 'Reboot', DryRun: true, InstanceIds: ids });
    // Assess
    expect(ids.map((id) => results.get(id)?.RestartWave)).toEqual(
      ids.map((_, index) => Math.floor(index / 3) + 1),
    );
    expect(ecs.callsOf('RebootInstances')).toHaveLength(0);
  });
});
