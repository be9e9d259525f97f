import * as $Ecs from '@alicloud/ecs20140526';
import type Ecs from '@alicloud/ecs20140526';
import { startEcsEmulator, type EcsEmulator } from '../../local/ecs-emulator';
import { ecsClient, REGION } from './helpers';

const KEY = 'fleet-key';
const FLEET = 10_000;

/** Every instance id DescribeInstances pages out, following NextToken to the end. */
async function pageAll(client: Ecs, filter: { keyPairName?: string }): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const response = await client.describeInstances(
      new $Ecs.DescribeInstancesRequest({
        regionId: REGION,
        maxResults: 100,
        nextToken,
        ...filter,
      }),
    );
    ids.push(...(response.body?.instances?.instance ?? []).map((i) => i.instanceId ?? ''));
    nextToken = response.body?.nextToken || undefined;
  } while (nextToken);
  return ids;
}

describe('ECS emulator at fleet scale', () => {
  let emu: EcsEmulator;
  let client: Ecs;
  let holding: string[];

  beforeAll(async () => {
    emu = await startEcsEmulator({ seed: 5 });
    client = ecsClient(emu, emu.issueCredentials({ sts: true }));
  });
  afterAll(() => emu.stop());
  beforeEach(() => {
    emu.reset();
    holding = emu.state.seedFleet({ regionId: REGION, count: FLEET, keyPairName: KEY });
    emu.state.seedFleet({ regionId: REGION, count: 500 });
  });

  it('pages a 10,000-instance fleet through DescribeInstances by KeyPairName', async () => {
    // Prepare
    const expected = new Set(holding);

    // Act
    const ids = await pageAll(client, { keyPairName: KEY });

    // Assess
    expect(ids).toHaveLength(FLEET);
    expect(new Set(ids)).toEqual(expected);
    expect(emu.requestLog.filter((e) => e.action === 'DescribeInstances')).toHaveLength(
      FLEET / 100,
    );
  });

  it('misses no instance when a page is detached before the next one is read', async () => {
    // Prepare
    const seen: string[] = [];
    let nextToken: string | undefined;

    // Act: the Gardener-style loop, detaching each page as it arrives.
    do {
      const page = await client.describeInstances(
        new $Ecs.DescribeInstancesRequest({
          regionId: REGION,
          keyPairName: KEY,
          maxResults: 100,
          nextToken,
        }),
      );
      const ids = (page.body?.instances?.instance ?? []).map((i) => i.instanceId ?? '');
      seen.push(...ids);
      for (let i = 0; i < ids.length; i += 50) {
        await client.detachKeyPair(
          new $Ecs.DetachKeyPairRequest({
            regionId: REGION,
            keyPairName: KEY,
            instanceIds: JSON.stringify(ids.slice(i, i + 50)),
          }),
        );
      }
      nextToken = page.body?.nextToken || undefined;
    } while (nextToken);

    // Assess
    expect(seen).toHaveLength(FLEET);
    expect(emu.state.instancesHolding(REGION, KEY)).toEqual([]);
  });

  it('stays consistent under concurrent, overlapping detaches', async () => {
    // Prepare: 40 calls over the same 500 instances, each instance in four of them.
    const targets = holding.slice(0, 500);
    const batches = Array.from({ length: 40 }, (_, i) =>
      targets.slice((i % 10) * 50, (i % 10) * 50 + 50),
    );

    // Act
    const responses = await Promise.all(
      batches.map((batch) =>
        client.detachKeyPair(
          new $Ecs.DetachKeyPairRequest({
            regionId: REGION,
            keyPairName: KEY,
            instanceIds: JSON.stringify(batch),
          }),
        ),
      ),
    );

    // Assess: each instance was detached exactly once; the other three saw it already gone.
    const detachedIds = responses.flatMap((r) =>
      (r.body?.results?.result ?? []).filter((e) => e.success === 'true').map((e) => e.instanceId),
    );
    expect(detachedIds).toHaveLength(500);
    expect(new Set(detachedIds)).toEqual(new Set(targets));
    expect(emu.state.instancesHolding(REGION, KEY)).toHaveLength(FLEET - 500);
  });
});
