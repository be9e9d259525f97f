import * as $Ecs from '@alicloud/ecs20140526';
import type Ecs from '@alicloud/ecs20140526';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEcsEmulator, type EcsEmulator } from '../../local/ecs-emulator';
import { ecsClient, REGION, rejectionOf } from './helpers';

describe('ECS emulator restarts, through the unmodified SDK', () => {
  let sandbox: string;
  let emu: EcsEmulator;
  let client: Ecs;

  beforeAll(async () => {
    sandbox = mkdtempSync(join(tmpdir(), 'restarts-test-'));
    emu = await startEcsEmulator({ seed: 9, guestDir: sandbox, timing: { rebootMs: 1000 } });
    client = ecsClient(emu, emu.issueCredentials());
  });
  afterAll(async () => {
    await emu.stop();
    rmSync(sandbox, { recursive: true, force: true });
  });
  beforeEach(() => emu.reset());

  const reboot = (instanceId: string[], extra: Partial<$Ecs.RebootInstancesRequest> = {}) =>
    client.rebootInstances(
      new $Ecs.RebootInstancesRequest({ regionId: REGION, instanceId, ...extra }),
    );

  const statuses = async (instanceId: string[]) =>
    (
      await client.describeInstanceStatus(
        new $Ecs.DescribeInstanceStatusRequest({ regionId: REGION, instanceId, pageSize: 50 }),
      )
    ).body?.instanceStatuses?.instanceStatus?.map((s) => s.status);

  const agent = async (instanceId: string[]) =>
    (
      await client.describeCloudAssistantStatus(
        new $Ecs.DescribeCloudAssistantStatusRequest({ regionId: REGION, instanceId }),
      )
    ).body?.instanceCloudAssistantStatusSet?.instanceCloudAssistantStatus?.map(
      (s) => s.cloudAssistantStatus,
    );

  it('restarts instances together: Stopping, Starting, Running, the agent offline meanwhile', async () => {
    // Prepare
    const ids = emu.state.seedFleet({ regionId: REGION, count: 3 });
    const seen = new Set<string>();
    const agentWhileDown = new Set<string>();

    // Act
    const response = await reboot(ids);
    for (;;) {
      // The agent first: a status still down afterwards means it was down when the agent answered.
      const [online] = (await agent(ids.slice(0, 1))) ?? [];
      const [status] = (await statuses(ids.slice(0, 1))) ?? [];
      if (status === 'Running') break;
      seen.add(status ?? '');
      agentWhileDown.add(online ?? '');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    // Assess
    expect(response.body?.instanceResponses?.instanceResponse).toEqual(
      ids.map((id) =>
        expect.objectContaining({
          instanceId: id,
          code: '200',
          previousStatus: 'Running',
          currentStatus: 'Stopping',
        }),
      ),
    );
    expect([...seen]).toEqual(['Stopping', 'Starting']);
    expect([...agentWhileDown]).toEqual(['false']);
    expect(await agent(ids)).toEqual(['true', 'true', 'true']);
  });

  it('fails the whole AllTogether call for one instance that cannot restart', async () => {
    // Prepare
    const ids = emu.state.seedFleet({ regionId: REGION, count: 2 });
    const stopped = emu.state.addInstance({ RegionId: REGION, Status: 'Stopped' });

    // Act
    const notRunning = await rejectionOf(reboot([...ids, stopped]));
    const unknown = await rejectionOf(reboot([...ids, 'i-doesnotexist0000000']));
    const dryRun = await rejectionOf(reboot(ids, { dryRun: true }));
    const tooMany = await rejectionOf(reboot(Array.from({ length: 101 }, (_, i) => `i-${i}`)));

    // Assess
    expect(notRunning).toMatchObject({ statusCode: 403, code: 'IncorrectInstanceStatus' });
    expect(unknown).toMatchObject({ statusCode: 404, code: 'InvalidInstanceId.NotFound' });
    expect(dryRun).toMatchObject({ statusCode: 400, code: 'DryRunOperation' });
    expect(tooMany).toMatchObject({ statusCode: 400, code: 'InvalidParameter' });
    expect(await statuses(ids)).toEqual(['Running', 'Running']);
  });

  it('restarts what it can with SuccessFirst and reports each instance', async () => {
    // Prepare
    const [running, other] = emu.state.seedFleet({ regionId: REGION, count: 2 });
    const stopped = emu.state.addInstance({ RegionId: REGION, Status: 'Stopped' });
    const ids = [running, stopped, 'i-doesnotexist0000000'];

    // Act
    const dryRun = await reboot([other], { batchOptimization: 'SuccessFirst', dryRun: true });
    const response = await reboot(ids, { batchOptimization: 'SuccessFirst', forceReboot: true });

    // Assess
    expect(dryRun.body?.instanceResponses?.instanceResponse?.[0]?.code).toBe('DRYRUN.SUCCESS');
    expect(
      response.body?.instanceResponses?.instanceResponse?.map((r) => [
        r.instanceId,
        r.code,
        r.currentStatus,
      ]),
    ).toEqual([
      [running, '200', 'Stopping'],
      [stopped, 'IncorrectInstanceStatus', 'Stopped'],
      ['i-doesnotexist0000000', 'InvalidInstanceId.NotFound', ''],
    ]);
    expect(await statuses([other])).toEqual(['Running']);
  });

  it('pages DescribeInstanceStatus by PageNumber and at most 50 a page', async () => {
    // Prepare
    const ids = emu.state.seedFleet({ regionId: REGION, count: 25 });

    // Act
    const page = await client.describeInstanceStatus(
      new $Ecs.DescribeInstanceStatusRequest({ regionId: REGION, pageNumber: 3, pageSize: 10 }),
    );
    const tooBig = await rejectionOf(
      client.describeInstanceStatus(
        new $Ecs.DescribeInstanceStatusRequest({ regionId: REGION, pageSize: 51 }),
      ),
    );

    // Assess
    expect(page.body?.totalCount).toBe(25);
    expect(page.body?.instanceStatuses?.instanceStatus?.map((s) => s.instanceId)).toEqual(
      ids.slice(20),
    );
    expect(tooBig).toMatchObject({ statusCode: 400, code: 'InvalidParameter' });
  });

  it('keeps a restart stuck in Starting until the fault is cleared, then boots', async () => {
    // Prepare
    const [id] = emu.state.seedFleet({ regionId: REGION, count: 1 });
    emu.state.guestRoot(id);
    emu.state.createKeyPair(REGION, 'new-key', 'ed25519');
    emu.setInstanceFaults(id, { stuckInStarting: true });

    // Act
    await client.attachKeyPair(
      new $Ecs.AttachKeyPairRequest({
        regionId: REGION,
        keyPairName: 'new-key',
        instanceIds: JSON.stringify([id]),
      }),
    );
    await reboot([id]);
    while ((await statuses([id]))?.[0] !== 'Starting') {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const stuck = await statuses([id]);
    const again = await rejectionOf(reboot([id]));
    const agentWhileStuck = await agent([id]);
    emu.setInstanceFaults(id, {});
    const after = await statuses([id]);

    // Assess
    expect(stuck).toEqual(['Starting']);
    expect(again).toMatchObject({ statusCode: 403, code: 'IncorrectInstanceStatus' });
    expect(agentWhileStuck).toEqual(['false']);
    expect(after).toEqual(['Running']);
    expect(emu.state.readGuestFile(id, '/root/.ssh/authorized_keys')).toContain(
      emu.state.keyPair(REGION, 'new-key')?.publicKey,
    );
  });
});
