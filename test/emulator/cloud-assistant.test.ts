import * as $Ecs from '@alicloud/ecs20140526';
import type Ecs from '@alicloud/ecs20140526';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEcsEmulator, type EcsEmulator } from '../../local/ecs-emulator';
import { ecsClient, REGION, rejectionOf } from './helpers';

const KEY = 'leaked-key';
const SENTINEL = 'outside-every-guest';

type InvokeInstance =
  $Ecs.DescribeInvocationsResponseBodyInvocationsInvocationInvokeInstancesInvokeInstance;

describe('ECS emulator Cloud Assistant, through the unmodified SDK', () => {
  let sandbox: string;
  let emu: EcsEmulator;
  let client: Ecs;

  beforeAll(async () => {
    // Guests live in this test's own directory, next to a file no script may touch.
    sandbox = mkdtempSync(join(tmpdir(), 'cloud-assistant-test-'));
    writeFileSync(join(sandbox, SENTINEL), SENTINEL);
    emu = await startEcsEmulator({
      seed: 8,
      guestDir: sandbox,
      timing: { agentDelayMs: 5, rebootMs: 100 },
      maxConcurrentScripts: 2,
    });
    client = ecsClient(emu, emu.issueCredentials({ sts: true }));
  });
  afterAll(async () => {
    await emu.stop();
    rmSync(sandbox, { recursive: true, force: true });
  });
  beforeEach(() => emu.reset());
  afterEach(() => {
    // Nothing was written beside the guests' directory, nor beside the guest trees in it.
    const entries = readdirSync(sandbox).sort();
    expect(
      entries.filter((e) => e !== SENTINEL).every((e) => /^ecs-emulator-guests-/.test(e)),
    ).toBe(true);
    expect(readFileSync(join(sandbox, SENTINEL), 'utf8')).toBe(SENTINEL);
    for (const base of entries.filter((e) => e !== SENTINEL)) {
      expect(readdirSync(join(sandbox, base)).every((e) => /^i-[a-z0-9]+$/.test(e))).toBe(true);
    }
  });

  const run = (request: Partial<$Ecs.RunCommandRequest>) =>
    client.runCommand(
      new $Ecs.RunCommandRequest({ regionId: REGION, type: 'RunShellScript', ...request }),
    );

  /** The invocation once every instance is done (bounded, so a bug fails rather than hangs). */
  async function finished(invokeId: string | undefined) {
    for (let attempt = 0; attempt < 2000; attempt++) {
      const response = await client.describeInvocations(
        new $Ecs.DescribeInvocationsRequest({ regionId: REGION, invokeId, includeOutput: true }),
      );
      const invocation = response.body?.invocations?.invocation?.[0];
      if (invocation && invocation.invokeStatus !== 'Running') return invocation;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`invocation ${invokeId} never finished`);
  }

  const instancesOf = async (invokeId: string | undefined): Promise<InvokeInstance[]> =>
    (await finished(invokeId)).invokeInstances?.invokeInstance ?? [];
  const decoded = (output: string | undefined) => Buffer.from(output ?? '', 'base64').toString();

  it('runs a script in bash inside the guest, with GUEST_ROOT set, and reports what it did', async () => {
    // Prepare
    const [id] = emu.state.seedFleet({ regionId: REGION, count: 1, keyPairName: KEY });
    const root = emu.state.guestRoot(id);
    const keyLine = emu.state.keyPair(REGION, KEY)?.publicKey ?? '';
    const material = keyLine.split(' ')[1];
    const script = [
      'echo "root=$GUEST_ROOT cwd=$(pwd) home=$HOME"',
      `grep -v '${material}' "$GUEST_ROOT/root/.ssh/authorized_keys" > "$GUEST_ROOT/root/.ssh/k.new"`,
      'mv "$GUEST_ROOT/root/.ssh/k.new" "$GUEST_ROOT/root/.ssh/authorized_keys"',
      'echo removed >&2',
    ].join('\n');

    // Act
    const response = await run({ commandContent: script, instanceId: [id] });
    const [result] = await instancesOf(response.body?.invokeId);
    const results = await client.describeInvocationResults(
      new $Ecs.DescribeInvocationResultsRequest({
        regionId: REGION,
        invokeId: response.body?.invokeId,
      }),
    );

    // Assess
    expect(response.body?.commandId).toMatch(/^c-/);
    expect(response.body?.invokeId).toMatch(/^t-/);
    expect(result).toMatchObject({
      instanceId: id,
      invocationStatus: 'Success',
      exitCode: 0,
      errorCode: '',
    });
    expect(decoded(result.output)).toBe(
      `root=${root} cwd=${root}/root home=${root}/root\nremoved\n`,
    );
    expect(result.startTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(result.finishTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(emu.state.readGuestFile(id, '/root/.ssh/authorized_keys')).not.toContain(material);
    expect(results.body?.invocation?.invocationResults?.invocationResult?.[0]).toMatchObject({
      instanceId: id,
      invocationStatus: 'Success',
      invokeRecordStatus: 'Finished',
      exitCode: 0,
      output: result.output,
    });
  });

  it('decodes Base64 content, fills {{parameters}}, and runs as the user in the directory asked', async () => {
    // Prepare
    const [id] = emu.state.seedFleet({ regionId: REGION, count: 1 });
    const root = emu.state.guestRoot(id);
    const script = 'echo "{{ greeting }}, $USER in $(pwd)"';

    // Act
    const response = await run({
      commandContent: Buffer.from(script).toString('base64'),
      contentEncoding: 'Base64',
      enableParameter: true,
      parameters: { greeting: 'hello' },
      username: 'ecs-user',
      workingDir: '/home/ecs-user/.ssh',
      instanceId: [id],
    });
    const [result] = await instancesOf(response.body?.invokeId);
    const missing = await rejectionOf(
      run({ commandContent: script, enableParameter: true, parameters: {}, instanceId: [id] }),
    );
    const unknown = await rejectionOf(
      run({
        commandContent: script,
        enableParameter: true,
        parameters: { greeting: 'x', other: 'y' },
        instanceId: [id],
      }),
    );

    // Assess
    expect(decoded(result.output)).toBe(`hello, ecs-user in ${root}/home/ecs-user/.ssh\n`);
    expect(missing).toMatchObject({ statusCode: 400, code: 'InvalidParameter' });
    expect(unknown).toMatchObject({ statusCode: 400, code: 'InvalidParameter' });
  });

  it.each([
    [
      'more than 100 instances',
      { instanceId: Array.from({ length: 101 }, (_, i) => `i-x${i}`) },
      403,
      'InstanceIds.ExceedLimit',
    ],
    ['no instance', { instanceId: [] }, 400, 'MissingParameter'],
    [
      'content over 24 KB after Base64',
      { commandContent: 'x'.repeat(18_433) },
      400,
      'InvalidParam.CommandContent',
    ],
    ['an unknown command type', { type: 'RunPythonScript' }, 403, 'InvalidCmdType.NotFound'],
    ['a username over 255 characters', { username: 'u'.repeat(256) }, 403, 'Username.ExceedLimit'],
    [
      'an unknown instance',
      { instanceId: ['i-doesnotexist0000000'] },
      404,
      'InvalidInstance.NotFound',
    ],
    ['a client token over 64 characters', { clientToken: 't'.repeat(65) }, 400, 'InvalidParameter'],
    ['a timeout of 0', { timeout: 0 }, 400, 'InvalidParameter'],
    ['a periodic run', { repeatMode: 'Period' }, 400, 'InvalidParameter'],
  ])('refuses %s', async (_case, override, statusCode, code) => {
    // Prepare
    const [id] = emu.state.seedFleet({ regionId: REGION, count: 1 });

    // Act
    const error = await rejectionOf(
      run({
        commandContent: 'echo hi',
        instanceId: [id],
        ...override,
      } as Partial<$Ecs.RunCommandRequest>),
    );

    // Assess
    expect(error).toMatchObject({ statusCode, code });
    expect(emu.requestLog.at(-1)?.code).toBe(code);
  });

  it('accepts content of exactly 24 KB after Base64', async () => {
    // Prepare
    const [id] = emu.state.seedFleet({ regionId: REGION, count: 1 });
    const script = `: ${'x'.repeat(18_432 - 3)}\necho ok`.slice(0, 18_432);

    // Act
    const response = await run({ commandContent: script, instanceId: [id] });

    // Assess
    expect(response.body?.invokeId).toMatch(/^t-/);
  });

  it('reports per instance what kept a script from running well', async () => {
    // Prepare
    const [ok, offline, spare] = emu.state.seedFleet({ regionId: REGION, count: 3 });
    emu.state.addInstance({
      InstanceId: 'i-stoppedinstance00001',
      RegionId: REGION,
      Status: 'Stopped',
    });
    const [windows] = emu.state.seedFleet({ regionId: REGION, count: 1, osType: 'windows' });
    emu.setInstanceFaults(offline, { agentOffline: true });
    const ids = [ok, offline, spare, windows];

    // Act
    const status = await client.describeCloudAssistantStatus(
      new $Ecs.DescribeCloudAssistantStatusRequest({
        regionId: REGION,
        instanceId: [...ids, 'i-stoppedinstance00001'],
      }),
    );
    const failing = await instancesOf(
      (await run({ commandContent: 'exit 3', instanceId: [ok] })).body?.invokeId,
    );
    const noUser = await instancesOf(
      (await run({ commandContent: 'true', username: 'nobody-here', instanceId: [ok] })).body
        ?.invokeId,
    );
    const noDir = await instancesOf(
      (await run({ commandContent: 'true', workingDir: '/srv/none', instanceId: [ok] })).body
        ?.invokeId,
    );
    const mixed = await instancesOf(
      (
        await run({
          commandContent: 'true',
          instanceId: [offline, 'i-stoppedinstance00001', windows],
        })
      ).body?.invokeId,
    );

    // Assess
    expect(
      status.body?.instanceCloudAssistantStatusSet?.instanceCloudAssistantStatus?.map((s) => [
        s.instanceId,
        s.cloudAssistantStatus,
      ]),
    ).toEqual([
      [ok, 'true'],
      [offline, 'false'],
      [spare, 'true'],
      ['i-stoppedinstance00001', 'false'],
      [windows, 'false'],
    ]);
    expect(failing[0]).toMatchObject({
      invocationStatus: 'Failed',
      exitCode: 3,
      errorCode: 'ExitCodeNonzero',
    });
    expect(noUser[0]).toMatchObject({ invocationStatus: 'Failed', errorCode: 'AccountNotExists' });
    expect(noDir[0]).toMatchObject({ invocationStatus: 'Failed', errorCode: 'DirectoryNotExists' });
    expect(mixed.map((r) => [r.instanceId, r.invocationStatus, r.errorCode])).toEqual([
      [offline, 'Failed', 'ClientNotRunning'],
      ['i-stoppedinstance00001', 'Failed', 'InstanceNotRunning'],
      [windows, 'Failed', 'CommandNotApplicable'],
    ]);
  });

  it('runs nothing twice for the same ClientToken, and refuses it for another request', async () => {
    // Prepare
    const [id] = emu.state.seedFleet({ regionId: REGION, count: 1 });
    const request = {
      commandContent: 'echo ran >> "$GUEST_ROOT/root/ran.log"',
      instanceId: [id],
      clientToken: 'revoke-2024-05-01-batch-7',
    };

    // Act
    const first = await run(request);
    const second = await run(request);
    await finished(first.body?.invokeId);
    const other = await rejectionOf(run({ ...request, commandContent: 'echo other' }));
    const listed = await client.describeInvocations(
      new $Ecs.DescribeInvocationsRequest({ regionId: REGION, instanceId: id }),
    );

    // Assess
    expect(second.body?.invokeId).toBe(first.body?.invokeId);
    expect(second.body?.commandId).toBe(first.body?.commandId);
    expect(emu.state.readGuestFile(id, '/root/ran.log')).toBe('ran\n');
    expect(other).toMatchObject({ statusCode: 400, code: 'IdempotentParameterMismatch' });
    expect(listed.body?.totalCount).toBe(1);
  });

  it('kills a script at its Timeout, and one that hangs', async () => {
    // Prepare
    const [slow, hanging] = emu.state.seedFleet({ regionId: REGION, count: 2 });
    emu.setInstanceFaults(hanging, { scriptHangs: true });

    // Act
    const response = await run({
      commandContent: 'echo started; sleep 30; echo never > "$GUEST_ROOT/root/never"',
      instanceId: [slow, hanging],
      timeout: 1,
    });
    const results = await instancesOf(response.body?.invokeId);

    // Assess
    expect(results.map((r) => [r.instanceId, r.invocationStatus, r.errorCode])).toEqual([
      [slow, 'Timeout', 'ExecutionTimeout'],
      [hanging, 'Timeout', 'ExecutionTimeout'],
    ]);
    expect(decoded(results[0].output)).toBe('started\n');
    expect(emu.state.readGuestFile(slow, '/root/never')).toBeUndefined();
    expect((await finished(response.body?.invokeId)).invocationStatus).toBe('Failed');
  });

  it('fails a command the agent never picks up with DeliveryTimeout', async () => {
    // Prepare
    const [id] = emu.state.seedFleet({ regionId: REGION, count: 1 });
    emu.setInstanceFaults(id, { agentUnresponsive: true });

    // Act
    const [result] = await instancesOf(
      (await run({ commandContent: 'true', instanceId: [id], timeout: 1 })).body?.invokeId,
    );

    // Assess
    expect(result).toMatchObject({ invocationStatus: 'Failed', errorCode: 'DeliveryTimeout' });
    expect(result.errorInfo).toContain('ClientNotResponse');
  });

  it('keeps 24 KB of output and counts the rest in Dropped', async () => {
    // Prepare
    const [id] = emu.state.seedFleet({ regionId: REGION, count: 1 });

    // Act
    const [result] = await instancesOf(
      (await run({ commandContent: "head -c 30000 /dev/zero | tr '\\0' a", instanceId: [id] })).body
        ?.invokeId,
    );

    // Assess
    expect(decoded(result.output)).toBe('a'.repeat(24 * 1024));
    expect(result.dropped).toBe(30_000 - 24 * 1024);
  });

  it('gives output to a query by InvokeId or InstanceId, never to a listing by name', async () => {
    // Prepare
    const [id] = emu.state.seedFleet({ regionId: REGION, count: 1 });
    const invokeId = (await run({ commandContent: 'echo hi', instanceId: [id], name: 'job-1' }))
      .body?.invokeId;
    await finished(invokeId);
    const outputs = async (request: Partial<$Ecs.DescribeInvocationsRequest>) =>
      (
        await client.describeInvocations(
          new $Ecs.DescribeInvocationsRequest({
            regionId: REGION,
            includeOutput: true,
            ...request,
          }),
        )
      ).body?.invocations?.invocation?.map((found) =>
        decoded(found.invokeInstances?.invokeInstance?.[0]?.output),
      );

    // Act
    const byName = await outputs({ commandName: 'job-1' });
    const byInvokeId = await outputs({ invokeId });
    const byInstanceId = await outputs({ instanceId: id });

    // Assess
    expect(byName).toEqual(['']);
    expect(byInvokeId).toEqual(['hi\n']);
    expect(byInstanceId).toEqual(['hi\n']);
  });

  it('runs no more scripts at once than configured', async () => {
    // Prepare
    const ids = emu.state.seedFleet({ regionId: REGION, count: 6 });
    const script = [
      'date +%s%N > "$GUEST_ROOT/root/start"',
      'sleep 0.3',
      'date +%s%N > "$GUEST_ROOT/root/end"',
    ].join('\n');

    // Act
    await instancesOf((await run({ commandContent: script, instanceId: ids })).body?.invokeId);

    // Assess: at no script's start were two others still running.
    const spans = ids.map((id) => ({
      start: BigInt(emu.state.readGuestFile(id, '/root/start') ?? '0'),
      end: BigInt(emu.state.readGuestFile(id, '/root/end') ?? '0'),
    }));
    const overlaps = spans.map(
      (a) => spans.filter((b) => b.start <= a.start && a.start < b.end).length,
    );
    expect(Math.max(...overlaps)).toBeLessThanOrEqual(2);
  });

  it('invokes a kept command; other command ids are unknown', async () => {
    // Prepare
    const [id] = emu.state.seedFleet({ regionId: REGION, count: 1 });
    const kept = await run({
      commandContent: 'echo {{word}}',
      enableParameter: true,
      parameters: { word: 'first' },
      keepCommand: true,
      instanceId: [id],
    });

    // Act
    const invoked = await client.invokeCommand(
      new $Ecs.InvokeCommandRequest({
        regionId: REGION,
        commandId: kept.body?.commandId,
        instanceId: [id],
        parameters: { word: 'second' },
      }),
    );
    const [result] = await instancesOf(invoked.body?.invokeId);
    const unknown = await rejectionOf(
      client.invokeCommand(
        new $Ecs.InvokeCommandRequest({
          regionId: REGION,
          commandId: 'ACS-ECS-RemoveSshPublicKey-for-linux.sh',
          instanceId: [id],
        }),
      ),
    );

    // Assess
    expect(decoded(result.output)).toBe('second\n');
    expect(unknown).toMatchObject({ statusCode: 404, code: 'InvalidCmdId.NotFound' });
  });

  it('interrupts a running script when the instance restarts', async () => {
    // Prepare
    const [id] = emu.state.seedFleet({ regionId: REGION, count: 1 });
    const response = await run({
      commandContent: 'echo up; sleep 30',
      instanceId: [id],
      timeout: 60,
    });
    while ((await firstStatus(response.body?.invokeId)) !== 'Running') {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    // Act
    await client.rebootInstance(new $Ecs.RebootInstanceRequest({ instanceId: id }));
    const [result] = await instancesOf(response.body?.invokeId);

    // Assess
    expect(result).toMatchObject({ invocationStatus: 'Failed', errorCode: 'ExecutionInterrupted' });
  });

  it('never lets a boot write through a link a script made to a file outside the guest', async () => {
    // Prepare
    const [id] = emu.state.seedFleet({ regionId: REGION, count: 1 });
    emu.state.createKeyPair(REGION, KEY, 'ed25519');
    const outside = join(sandbox, SENTINEL);
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const script = `ln -sf '${outside}' "$GUEST_ROOT/root/.ssh/authorized_keys"`;

    try {
      // Act
      const [linked] = await instancesOf(
        (await run({ commandContent: script, instanceId: [id] })).body?.invokeId,
      );
      await client.attachKeyPair(
        new $Ecs.AttachKeyPairRequest({
          regionId: REGION,
          keyPairName: KEY,
          instanceIds: JSON.stringify([id]),
        }),
      );
      await client.rebootInstance(new $Ecs.RebootInstanceRequest({ instanceId: id }));
      while (emu.state.instance(id)?.Status !== 'Running') {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }

      // Assess: the sentinel is checked after each test too.
      expect(linked.invocationStatus).toBe('Success');
      expect(readFileSync(outside, 'utf8')).toBe(SENTINEL);
      expect(() => emu.state.readGuestFile(id, '/root/.ssh/authorized_keys')).toThrow(/link/);
      expect(quiet).toHaveBeenCalledWith(expect.stringContaining(id), expect.any(Error));
    } finally {
      quiet.mockRestore();
    }
  });

  it('throttles, fails and drops the new actions like every other', async () => {
    // Prepare
    const [id] = emu.state.seedFleet({ regionId: REGION, count: 1 });
    emu.setFaults('RunCommand', { throttleRate: 1 });
    emu.setFaults('DescribeInvocations', { error503Rate: 1 });

    // Act
    const throttled = await rejectionOf(run({ commandContent: 'true', instanceId: [id] }));
    const unavailable = await rejectionOf(
      client.describeInvocations(new $Ecs.DescribeInvocationsRequest({ regionId: REGION })),
    );
    emu.clearFaults();
    const listed = await client.describeInvocations(
      new $Ecs.DescribeInvocationsRequest({ regionId: REGION }),
    );

    // Assess
    expect(throttled).toMatchObject({ statusCode: 400, code: 'Throttling.User' });
    expect(unavailable).toMatchObject({ statusCode: 503, code: 'ServiceUnavailable' });
    expect(listed.body?.totalCount).toBe(0);
  });

  it('checks RAM on every instance a command targets and on the invocations read', async () => {
    // Prepare
    const [allowed, denied] = emu.state.seedFleet({ regionId: REGION, count: 2 });
    const limited = ecsClient(
      emu,
      emu.issueCredentials({
        policy: {
          Version: '1',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'ecs:RunCommand',
              Resource: [
                `acs:ecs:${REGION}:*:instance/${allowed}`,
                `acs:ecs:${REGION}:*:command/*`,
              ],
            },
          ],
        },
      }),
    );
    const runAs = (instanceId: string[]) =>
      limited.runCommand(
        new $Ecs.RunCommandRequest({
          regionId: REGION,
          type: 'RunShellScript',
          commandContent: 'true',
          instanceId,
        }),
      );

    // Act
    const ok = await runAs([allowed]);
    const refused = await rejectionOf(runAs([allowed, denied]));
    const describe = await rejectionOf(
      limited.describeInvocations(new $Ecs.DescribeInvocationsRequest({ regionId: REGION })),
    );
    await finished(ok.body?.invokeId);

    // Assess
    expect(ok.body?.invokeId).toMatch(/^t-/);
    expect(refused).toMatchObject({ statusCode: 403, code: 'Forbidden.RAM' });
    expect(describe).toMatchObject({ statusCode: 403, code: 'Forbidden.RAM' });
  });

  /** The first instance's status of the invocation now. */
  async function firstStatus(invokeId: string | undefined): Promise<string | undefined> {
    const response = await client.describeInvocationResults(
      new $Ecs.DescribeInvocationResultsRequest({ regionId: REGION, invokeId }),
    );
    return response.body?.invocation?.invocationResults?.invocationResult?.[0]?.invocationStatus;
  }
});
