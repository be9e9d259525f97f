import { Deadline } from '../../functions/detach-key-pair/src/deadline';
import { DEFAULT_RETRY_POLICY } from '../../functions/detach-key-pair/src/job/retry';
import { DeadlineExceededError, EcsCallError } from '../../functions/detach-key-pair/src/errors';
import { runJob } from '../../functions/detach-key-pair/src/job/run';
import type { DetachRequest } from '../../functions/detach-key-pair/src/request';
import { FakeClock } from '../helpers/clock';
import { jobRequest } from '../helpers/requests';
import { ecsError, FakeEcs, instanceIds, type Rendering } from '../helpers/fake-ecs';

function setup(rendering: Rendering = 'strings', deadlineMs = 60_000) {
  const ecs = new FakeEcs(rendering);
  const clock = new FakeClock();
  ecs.onCall = (ms) => clock.advance(ms);
  const run = (request: Partial<DetachRequest> & { InstanceIds: string[] }) =>
    runJob(jobRequest(request), {
      port: ecs,
      deadline: new Deadline(clock.now() + deadlineMs, clock),
      clock,
      retryPolicy: DEFAULT_RETRY_POLICY,
      concurrency: 4,
    });
  return { ecs, clock, run };
}

const statuses = (outcomes: Map<string, { status: string }>) =>
  [...outcomes.values()].map((o) => o.status);

describe('runJob', () => {
  it.each<Rendering>(['strings', 'native'])(
    'detaches 1,000 instances in ceil(N/100)+ceil(N/50) calls (%s rendering)',
    async (rendering) => {
      // Prepare
      const { ecs, run } = setup(rendering);
      const ids = ecs.seed(instanceIds(1000), { osType: 'linux', keyPairName: 'k1' });
      // Act
      const job = await run({ InstanceIds: ids });
      // Assess
      expect(ecs.callsOf('DescribeInstances')).toHaveLength(10);
      expect(ecs.callsOf('DetachKeyPair')).toHaveLength(20);
      expect(ecs.callsOf('DescribeKeyPairs')).toHaveLength(0);
      expect(ecs.callsOf('DetachKeyPair').every((call) => call.instanceIds.length === 50)).toBe(
        true,
      );
      expect(new Set(statuses(job.outcomes))).toStrictEqual(new Set(['Detached']));
      expect(job.ecsRequestIds).toHaveLength(30);
    },
  );

  it('packs detach batches across describe chunks', async () => {
    // Prepare
    const { ecs, run } = setup();
    const holding = instanceIds(60, 'hold');
    const other = instanceIds(140, 'other');
    ecs.seed(holding, { osType: 'linux', keyPairName: 'k1' });
    ecs.seed(other, { osType: 'linux', keyPairName: 'k2' });
    const mixed = holding
      .flatMap((id, i) => [id, ...other.slice(i * 2, i * 2 + 2)])
      .concat(other.slice(120));
    // Act
    await run({ InstanceIds: mixed });
    // Assess
    expect(
      ecs
        .callsOf('DetachKeyPair')
        .map((call) => call.instanceIds.length)
        .sort(),
    ).toStrictEqual([10, 50]);
  });

  it('classifies a mixed fleet and never batches Windows instances', async () => {
    // Prepare
    const { ecs, run } = setup();
    const [linux] = ecs.seed(instanceIds(1, 'lin'), { osType: 'linux', keyPairName: 'k1' });
    const [windows] = ecs.seed(instanceIds(1, 'win'), { osType: 'windows' });
    const [bare] = ecs.seed(instanceIds(1, 'bare'), { osType: 'linux' });
    const [unknown] = instanceIds(1, 'ghost');
    // Act
    const job = await run({ InstanceIds: [linux, windows, bare, unknown] });
    // Assess
    expect(
      Object.fromEntries([...job.outcomes].map(([id, o]) => [id, `${o.status}:${o.code}`])),
    ).toStrictEqual({
      [linux]: 'Detached:200',
      [windows]: 'Failed:DependencyViolation.WindowsInstance',
      [bare]: 'Skipped:KeyPairNotAttached',
      [unknown]: 'Failed:InvalidInstanceId.NotFound',
    });
    expect(ecs.callsOf('DetachKeyPair').flatMap((call) => call.instanceIds)).toStrictEqual([linux]);
  });

  it('changes nothing in a dry run', async () => {
    // Prepare
    const { ecs, run } = setup();
    const ids = ecs.seed(instanceIds(3), { osType: 'linux', keyPairName: 'k1' });
    // Act
    const job = await run({ InstanceIds: ids, DryRun: true });
    // Assess
    expect(statuses(job.outcomes)).toStrictEqual(['WouldDetach', 'WouldDetach', 'WouldDetach']);
    expect(ecs.callsOf('DetachKeyPair')).toHaveLength(0);
    expect(ecs.instances.get(ids[0])?.keyPairName).toBe('k1');
  });

  it('bisects a batch ECS refuses over an instance the plan missed', async () => {
    // Prepare
    const { ecs, run } = setup();
    const ids = ecs.seed(instanceIds(8), { osType: 'linux', keyPairName: 'k1' });
    const [turnedWindows] = ids.slice(5);
    ecs.failWhen('DetachKeyPair', (batch) =>
      batch.includes(turnedWindows)
        ? ecsError('client', 'DependencyViolation.WindowsInstance', { statusCode: 403 })
        : undefined,
    );
    // Act
    const job = await run({ InstanceIds: ids });
    // Assess
    expect(job.outcomes.get(turnedWindows)).toMatchObject({
      status: 'Failed',
      code: 'DependencyViolation.WindowsInstance',
    });
    expect(statuses(job.outcomes).filter((s) => s === 'Detached')).toHaveLength(7);
    expect(ecs.callsOf('DetachKeyPair').length).toBeLessThanOrEqual(
      1 + 2 * Math.ceil(Math.log2(8)),
    );
  });

  it('reports Detached only on ECS word, and checks an instance ECS gave no entry for', async () => {
    // Prepare
    const { ecs, run } = setup();
    const ids = ecs.seed(instanceIds(2), { osType: 'linux', keyPairName: 'k1' });
    const original = ecs.detachKeyPair.bind(ecs);
    ecs.detachKeyPair = async (input, options) => {
      const reply = await original(input, options);
      return { ...reply, results: reply.results.slice(0, 1) };
    };
    // Act
    const job = await run({ InstanceIds: ids });
    // Assess
    expect(job.outcomes.get(ids[0])?.status).toBe('Detached');
    expect(job.outcomes.get(ids[1])).toMatchObject({
      status: 'Skipped',
      code: 'KeyPairNotAttached',
      message: expect.stringContaining('Checked after DetachKeyPair reported MissingResult'),
    });
    expect(ecs.callsOf('DescribeInstances')).toHaveLength(2);
  });

  it('checks the instances of a call whose answer was lost, and finds them detached', async () => {
    // Prepare
    const { ecs, run } = setup();
    const ids = ecs.seed(instanceIds(3), { osType: 'linux', keyPairName: 'k1' });
    const original = ecs.detachKeyPair.bind(ecs);
    ecs.detachKeyPair = async (input, options) => {
      await original(input, options);
      throw ecsError('timeout', 'RequestTimeout', { statusCode: undefined });
    };
    // Act
    const job = await run({ InstanceIds: ids });
    // Assess
    expect(statuses(job.outcomes)).toStrictEqual(['Skipped', 'Skipped', 'Skipped']);
    expect(job.outcomes.get(ids[0])?.message).toContain(
      'Checked after DetachKeyPair reported RequestTimeout',
    );
  });

  it("keeps ECS's per-instance failure when the instance still holds the key", async () => {
    // Prepare
    const { ecs, run } = setup();
    const ids = ecs.seed(instanceIds(2), { osType: 'linux', keyPairName: 'k1' });
    ecs.detachKeyPair = async (input) => ({
      requestId: 'REQ-refused',
      results: input.instanceIds.map((instanceId) => ({
        instanceId,
        success: 'false',
        code: '403',
        message: 'The instance is locked.',
      })),
    });
    // Act
    const job = await run({ InstanceIds: ids });
    // Assess
    expect(job.outcomes.get(ids[0])).toMatchObject({
      status: 'Failed',
      code: '403',
      message: 'The instance is locked.',
    });
    expect(ecs.instances.get(ids[0])?.keyPairName).toBe('k1');
  });

  it('marks a reported failure retryable when the instance state cannot be checked', async () => {
    // Prepare
    const { ecs, run } = setup();
    const ids = ecs.seed(instanceIds(1), { osType: 'linux', keyPairName: 'k1' });
    ecs.detachKeyPair = async (input) => ({
      requestId: 'REQ-refused',
      results: [{ instanceId: input.instanceIds[0], success: false, code: 400, message: 'No.' }],
    });
    let describes = 0;
    ecs.failWhen('DescribeInstances', () =>
      (describes += 1) > 1 ? ecsError('client', 'InvalidParameter') : undefined,
    );
    // Act
    const job = await run({ InstanceIds: ids });
    // Assess
    expect(job.outcomes.get(ids[0])).toMatchObject({
      status: 'Failed',
      code: '400',
      retryable: true,
      message: 'No. (Its state could not be checked: InvalidParameter.)',
    });
  });

  it('recovers from throttling and 5xx with retries', async () => {
    // Prepare
    const { ecs, clock, run } = setup();
    const ids = ecs.seed(instanceIds(2), { osType: 'linux', keyPairName: 'k1' });
    ecs.failNext(
      'DescribeInstances',
      ecsError('throttled', 'Throttling.User', { retryAfterMs: 1000 }),
    );
    ecs.failNext(
      'DetachKeyPair',
      ecsError('server', 'ServiceUnavailable', { statusCode: 503 }),
      ecsError('throttled', 'Throttling'),
    );
    // Act
    const job = await run({ InstanceIds: ids });
    // Assess
    expect(statuses(job.outcomes)).toStrictEqual(['Detached', 'Detached']);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(1000);
    expect(job.ecsRequestIds).toEqual(
      expect.arrayContaining(['REQ-Throttling.User', 'REQ-ServiceUnavailable']),
    );
  });

  it('fails the whole request when throttled past the retries before anything changed', async () => {
    // Prepare
    const { ecs, run } = setup();
    const ids = ecs.seed(instanceIds(2), { osType: 'linux', keyPairName: 'k1' });
    ecs.failWhen('DetachKeyPair', () => ecsError('throttled', 'Throttling.User'));
    // Act
    const act = run({ InstanceIds: ids });
    // Assess
    await expect(act).rejects.toMatchObject({ kind: 'throttled', code: 'Throttling.User' });
    expect(ecs.callsOf('DetachKeyPair')).toHaveLength(DEFAULT_RETRY_POLICY.maxAttempts);
  });

  it('stops calling once ECS says the key pair does not exist', async () => {
    // Prepare
    const { ecs, run } = setup();
    const ids = ecs.seed(instanceIds(1000), { osType: 'linux', keyPairName: 'k1' });
    ecs.keyPairs.clear();
    // Act
    const act = run({ InstanceIds: ids });
    // Assess
    await expect(act).rejects.toBeInstanceOf(EcsCallError);
    await expect(act).rejects.toMatchObject({ kind: 'keyPairNotFound' });
    // Batches already in flight finish; none is started after the answer is known.
    expect(ecs.callsOf('DetachKeyPair').length).toBeLessThan(20);
  });

  it('keeps what was done and marks the rest retryable when a batch fails after others succeeded', async () => {
    // Prepare
    const { ecs, run } = setup();
    const ids = ecs.seed(instanceIds(100), { osType: 'linux', keyPairName: 'k1' });
    ecs.failWhen('DetachKeyPair', (batch) =>
      batch.includes(ids[99])
        ? ecsError('server', 'InternalError', { statusCode: 500 })
        : undefined,
    );
    // Act
    const job = await run({ InstanceIds: ids });
    // Assess
    expect(statuses(job.outcomes).filter((s) => s === 'Detached')).toHaveLength(50);
    expect(job.outcomes.get(ids[99])).toMatchObject({
      status: 'Failed',
      code: 'InternalError',
      retryable: true,
    });
  });

  it('stops at the deadline: instances not reached fail with DeadlineExceeded', async () => {
    // Prepare
    const { ecs, run } = setup('strings', 3000);
    ecs.latencyMs = 400;
    const ids = ecs.seed(instanceIds(250), { osType: 'linux', keyPairName: 'k1' });
    // Act
    const job = await run({ InstanceIds: ids });
    // Assess
    const outcomes = [...job.outcomes.values()];
    expect(outcomes.some((o) => o.status === 'Detached')).toBe(true);
    expect(
      outcomes
        .filter((o) => o.status === 'Failed')
        .every((o) => o.code === 'DeadlineExceeded' && o.retryable),
    ).toBe(true);
    expect(outcomes.some((o) => o.code === 'DeadlineExceeded')).toBe(true);
  });

  it('fails with DeadlineExceeded when no time is left at all', async () => {
    // Prepare
    const { ecs, run } = setup('strings', 100);
    const ids = ecs.seed(instanceIds(2), { osType: 'linux', keyPairName: 'k1' });
    // Act
    const act = run({ InstanceIds: ids });
    // Assess
    await expect(act).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(ecs.calls).toHaveLength(0);
  });

  it('fits each call timeout to the time left', async () => {
    // Prepare
    const { ecs, run } = setup('strings', 4000);
    const ids = ecs.seed(instanceIds(1), { osType: 'linux', keyPairName: 'k1' });
    // Act
    await run({ InstanceIds: ids });
    // Assess
    expect(ecs.calls.every((call) => call.timeoutMs <= 4000)).toBe(true);
  });

  it('refuses a key pair name that does not exist when no instance holds it', async () => {
    // Prepare
    const { ecs, run } = setup();
    const ids = ecs.seed(instanceIds(3), { osType: 'linux', keyPairName: 'k1' });
    // Act
    const act = run({ InstanceIds: ids, KeyPairName: 'k1-typo' });
    // Assess
    await expect(act).rejects.toMatchObject({
      kind: 'keyPairNotFound',
      code: 'InvalidKeyPairName.NotFound',
    });
    expect(ecs.callsOf('DescribeKeyPairs')).toHaveLength(1);
    expect(ecs.callsOf('DetachKeyPair')).toHaveLength(0);
  });

  it('skips every instance when the key pair exists but none holds it', async () => {
    // Prepare
    const { ecs, run } = setup();
    ecs.keyPairs.add('k1');
    const ids = ecs.seed(instanceIds(2), { osType: 'linux', keyPairName: 'other' });
    // Act
    const job = await run({ InstanceIds: ids });
    // Assess
    expect(statuses(job.outcomes)).toStrictEqual(['Skipped', 'Skipped']);
    expect(ecs.callsOf('DescribeKeyPairs')).toHaveLength(1);
  });

  it('keeps the plan of a dry run when one describe chunk fails past its retries', async () => {
    // Prepare
    const { ecs, run } = setup();
    const ids = ecs.seed(instanceIds(150), { osType: 'linux', keyPairName: 'k1' });
    const lastChunk = new Set(ids.slice(100));
    ecs.failWhen('DescribeInstances', (chunk) =>
      lastChunk.has(chunk[0])
        ? ecsError('server', 'ServiceUnavailable', { statusCode: 503 })
        : undefined,
    );
    // Act
    const job = await run({ InstanceIds: ids, DryRun: true });
    // Assess
    const outcomes = ids.map((id) => job.outcomes.get(id));
    expect(outcomes.slice(0, 100).every((o) => o?.status === 'WouldDetach')).toBe(true);
    expect(outcomes.slice(100).every((o) => o?.code === 'ServiceUnavailable' && o.retryable)).toBe(
      true,
    );
  });

  it('stops calling once ECS refuses the credentials', async () => {
    // Prepare
    const { ecs, run } = setup();
    const ids = ecs.seed(instanceIds(1000), { osType: 'linux', keyPairName: 'k1' });
    ecs.failWhen('DetachKeyPair', () => ecsError('credentials', 'InvalidSecurityToken.Expired'));
    // Act
    const act = run({ InstanceIds: ids });
    // Assess
    await expect(act).rejects.toMatchObject({ code: 'InvalidSecurityToken.Expired' });
    expect(ecs.callsOf('DetachKeyPair').length).toBeLessThan(20);
  });

  it('finishes the plan with one call at a time while partial batches wait', async () => {
    // Prepare: every third instance holds the key, so chunks leave batches part-filled.
    const ecs = new FakeEcs();
    const clock = new FakeClock();
    ecs.onCall = (ms) => clock.advance(ms);
    const ids = instanceIds(300);
    ids.forEach((id, index) =>
      ecs.seed([id], { osType: 'linux', keyPairName: index % 3 === 0 ? 'k1' : 'k2' }),
    );
    // Act
    const job = await runJob(jobRequest({ InstanceIds: ids }), {
      port: ecs,
      deadline: new Deadline(clock.now() + 60_000, clock),
      clock,
      retryPolicy: DEFAULT_RETRY_POLICY,
      concurrency: 1,
    });
    // Assess
    expect(statuses(job.outcomes).filter((status) => status === 'Detached')).toHaveLength(100);
    expect(ecs.callsOf('DescribeInstances')).toHaveLength(3);
    expect(ecs.callsOf('DetachKeyPair')).toHaveLength(2);
  });
});
