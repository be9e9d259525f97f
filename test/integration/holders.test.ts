/**
 * Selecting by Target from src, over the real SDK path (our openapi-core adapter) and loopback
 * HTTP, against the ECS emulator, with STS credentials restricted to the function role's RAM
 * policy: the filters, DescribeRegions and DeleteKeyPairs as the adapter sends them.
 */
import { startEcsEmulator, type EcsEmulator } from '../../local/ecs-emulator';
import { handler } from '../../functions/detach-key-pair/src';
import type { DetachResult } from '../../functions/detach-key-pair/src/result';
import { fakeContext } from '../helpers/fc-context';
import { FUNCTION_ROLE_POLICY } from '../helpers/ram';

const KEY = 'leaked-key';
const PROD = [{ Key: 'env', Value: 'prod' }];

let emu: EcsEmulator;
const savedEnv = { ...process.env };

beforeAll(async () => {
  emu = await startEcsEmulator({ port: 0, seed: 16 });
});

beforeEach(() => {
  emu.reset();
  process.env = { ...savedEnv, ECS_ENDPOINT: emu.url, LOG_LEVEL: 'silent' };
});

afterAll(async () => {
  process.env = savedEnv;
  await emu.stop();
});

async function send(request: Record<string, unknown>): Promise<DetachResult> {
  const issued = emu.issueCredentials({ sts: true, policy: FUNCTION_ROLE_POLICY });
  const context = fakeContext({
    credentials: {
      accessKeyId: issued.accessKeyId,
      accessKeySecret: issued.accessKeySecret,
      securityToken: issued.securityToken,
    },
  });
  const body = Buffer.from(JSON.stringify({ KeyPairName: KEY, Target: 'Holders', ...request }));
  return (await handler(body, context)) as DetachResult;
}

describe('selecting holders against the ECS emulator', () => {
  it('finds the tagged holders in every region that has the key, and deletes it where none is left', async () => {
    // Prepare
    const tagged = emu.state.seedFleet({
      regionId: 'cn-hangzhou',
      count: 3,
      keyPairName: KEY,
      tags: PROD,
    });
    const untagged = emu.state.seedFleet({ regionId: 'cn-hangzhou', count: 2, keyPairName: KEY });
    const shanghai = emu.state.seedFleet({
      regionId: 'cn-shanghai',
      count: 2,
      keyPairName: KEY,
      tags: PROD,
    });
    emu.state.seedFleet({ regionId: 'cn-beijing', count: 4, tags: PROD });

    // Act
    const result = await send({ RegionId: '*', Tags: PROD, DeleteKeyPair: true });

    // Assess
    expect(result.Results.map((entry) => [entry.RegionId, entry.InstanceId, entry.Status])).toEqual(
      [
        ...tagged.map((id) => ['cn-hangzhou', id, 'Detached']),
        ...shanghai.map((id) => ['cn-shanghai', id, 'Detached']),
      ],
    );
    expect(result.Regions?.map((region) => [region.RegionId, region.KeyPair?.Status])).toEqual([
      ['cn-hangzhou', 'Kept'],
      ['cn-shanghai', 'Deleted'],
    ]);
    expect(untagged.map((id) => emu.state.instance(id)?.KeyPairName)).toEqual([KEY, KEY]);
    expect(emu.state.keyPair('cn-shanghai', KEY)).toBeUndefined();
    const actions = emu.requestLog.map((entry) => entry.action);
    expect(actions.filter((action) => action === 'DescribeRegions')).toHaveLength(1);
    expect(actions.filter((action) => action === 'DeleteKeyPairs')).toHaveLength(2);
  });
});
