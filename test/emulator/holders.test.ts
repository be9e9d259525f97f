import * as $Ecs from '@alicloud/ecs20140526';
import { startEcsEmulator, type EcsEmulator } from '../../local/ecs-emulator';
import { ecsClient, REGION, rejectionOf } from './helpers';

const KEY = 'leaked-key';
const PROD = [{ Key: 'env', Value: 'prod' }];

describe('ECS emulator: finding and deleting what holds a key, through the unmodified SDK', () => {
  let emu: EcsEmulator;

  beforeAll(async () => {
    emu = await startEcsEmulator({ seed: 16 });
  });
  afterAll(() => emu.stop());
  beforeEach(() => emu.reset());

  const client = () => ecsClient(emu, emu.issueCredentials({ sts: true }));

  /** Every page of a DescribeInstances query by MaxResults and NextToken. */
  async function describeAll(query: Partial<$Ecs.DescribeInstancesRequest>) {
    const ids: string[] = [];
    let pages = 0;
    let nextToken: string | undefined;
    do {
      const response = await client().describeInstances(
        new $Ecs.DescribeInstancesRequest({ regionId: REGION, ...query, nextToken }),
      );
      pages += 1;
      ids.push(...(response.body?.instances?.instance ?? []).map((i) => i.instanceId ?? ''));
      nextToken = response.body?.nextToken || undefined;
    } while (nextToken);
    return { ids, pages };
  }

  it('finds every holder of a key pair by the KeyPairName filter, 100 a page', async () => {
    // Prepare
    const holders = emu.state.seedFleet({ regionId: REGION, count: 250, keyPairName: KEY });
    emu.state.seedFleet({ regionId: REGION, count: 300 });
    emu.state.seedFleet({ regionId: 'cn-shanghai', count: 5, keyPairName: KEY });

    // Act
    const found = await describeAll({ keyPairName: KEY, maxResults: 100 });

    // Assess
    expect(found).toEqual({ ids: holders, pages: 3 });
  });

  it('narrows by tags, every one of which must match, and renders each instance its tags', async () => {
    // Prepare
    const prodHolders = emu.state.seedFleet({
      regionId: REGION,
      count: 3,
      keyPairName: KEY,
      tags: PROD,
    });
    emu.state.seedFleet({
      regionId: REGION,
      count: 2,
      keyPairName: KEY,
      tags: [{ Key: 'env', Value: 'staging' }],
    });
    emu.state.seedFleet({ regionId: REGION, count: 2, tags: PROD });
    const tag = [new $Ecs.DescribeInstancesRequestTag({ key: 'env', value: 'prod' })];

    // Act
    const found = await describeAll({ keyPairName: KEY, tag, maxResults: 100 });
    const page = await client().describeInstances(
      new $Ecs.DescribeInstancesRequest({ regionId: REGION, tag, maxResults: 10 }),
    );

    // Assess
    expect(found.ids).toEqual(prodHolders);
    expect(page.body?.instances?.instance?.[0]?.tags?.tag).toEqual([
      expect.objectContaining({ tagKey: 'env', tagValue: 'prod' }),
    ]);
  });

  it.each([
    [
      '21 tags',
      {
        tag: Array.from(
          { length: 21 },
          (_, i) => new $Ecs.DescribeInstancesRequestTag({ key: `k${i}` }),
        ),
      },
      { statusCode: 400, code: 'InvalidTagCount' },
    ],
    [
      'an unknown status',
      { status: 'Sleeping' },
      { statusCode: 404, code: 'InvalidStatus.NotFound' },
    ],
  ])('refuses %s with the documented error', async (_name, query, expected) => {
    // Act
    const error = await rejectionOf(
      client().describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: REGION, ...query })),
    );

    // Assess
    expect(error).toMatchObject(expected);
  });

  it('refuses DeleteKeyPairs while an instance holds the key, and deletes it once none does', async () => {
    // Prepare
    const [holder] = emu.state.seedFleet({ regionId: REGION, count: 1, keyPairName: KEY });
    emu.state.createKeyPair('cn-shanghai', KEY);
    const remove = () =>
      client().deleteKeyPairs(
        new $Ecs.DeleteKeyPairsRequest({ regionId: REGION, keyPairNames: JSON.stringify([KEY]) }),
      );

    // Act
    const refused = await rejectionOf(remove());
    await client().detachKeyPair(
      new $Ecs.DetachKeyPairRequest({
        regionId: REGION,
        keyPairName: KEY,
        instanceIds: JSON.stringify([holder]),
      }),
    );
    const deleted = await remove();

    // Assess
    expect(refused).toMatchObject({
      statusCode: 400,
      code: 'InvalidParameter.KeypairAlreadyAttachedInstance',
    });
    expect(deleted.statusCode).toBe(200);
    expect(emu.state.keyPair(REGION, KEY)).toBeUndefined();
    expect(emu.state.keyPair('cn-shanghai', KEY)).toBeDefined();
  });

  it.each([
    ['not a JSON array', 'leaked-key'],
    ['101 names', JSON.stringify(Array.from({ length: 101 }, (_, i) => `k${i}`))],
  ])('refuses KeyPairNames that is %s', async (_name, keyPairNames) => {
    // Act
    const error = await rejectionOf(
      client().deleteKeyPairs(new $Ecs.DeleteKeyPairsRequest({ regionId: REGION, keyPairNames })),
    );

    // Assess
    expect(error).toMatchObject({ statusCode: 400, code: 'InvalidKeyPairNames.ValueNotSupported' });
  });

  it('checks DeleteKeyPairs against the key pair named in the RAM policy', async () => {
    // Prepare
    emu.state.createKeyPair(REGION, KEY);
    emu.state.createKeyPair(REGION, 'other-key');
    const credentials = emu.issueCredentials({
      sts: true,
      policy: {
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'ecs:DeleteKeyPairs',
            Resource: `acs:ecs:${REGION}:*:keypair/${KEY}`,
          },
        ],
      },
    });
    const remove = (name: string) =>
      ecsClient(emu, credentials).deleteKeyPairs(
        new $Ecs.DeleteKeyPairsRequest({ regionId: REGION, keyPairNames: JSON.stringify([name]) }),
      );

    // Act
    const denied = await rejectionOf(remove('other-key'));
    const allowed = await remove(KEY);

    // Assess
    expect(denied).toMatchObject({ statusCode: 403, code: 'Forbidden.RAM' });
    expect(allowed.statusCode).toBe(200);
  });
});
