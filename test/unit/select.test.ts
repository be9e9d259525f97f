import type { DetachResult } from '../../functions/detach-key-pair/src/result';
import { fakeContext } from '../helpers/fc-context';
import { ecsError, FakeEcs, instanceIds } from '../helpers/fake-ecs';
import { handlerWithFake } from '../helpers/handler';

const KEY = 'leaked-key';
const PROD = [{ Key: 'env', Value: 'prod' }];

interface Refusal {
  Code: string;
  Message: string;
  Errors?: Array<{ Pointer: string; Detail: string }>;
}

/** A region's fake ECS: holders of the key (some tagged prod), other Linux, one Windows. */
function region(prefix: string, holders: number, tagged = 0): FakeEcs {
  const ecs = new FakeEcs('native');
  const ids = instanceIds(holders, `${prefix}h`);
  ecs.seed(ids.slice(0, tagged), { osType: 'linux', keyPairName: KEY, tags: PROD });
  ecs.seed(ids.slice(tagged), { osType: 'linux', keyPairName: KEY });
  ecs.seed(instanceIds(3, `${prefix}o`), { osType: 'linux', keyPairName: 'other-key' });
  ecs.seed(instanceIds(1, `${prefix}w`), { osType: 'windows' });
  return ecs;
}

function holdersOf(ecs: FakeEcs): string[] {
  return [...ecs.instances].filter(([, i]) => i.keyPairName === KEY).map(([id]) => id);
}

async function send(
  payload: Record<string, unknown>,
  options: Parameters<typeof handlerWithFake>[0] = {},
) {
  const { handler, ecs } = handlerWithFake(options);
  const body = { RegionId: 'cn-hangzhou', KeyPairName: KEY, Target: 'Holders', ...payload };
  const answer = (await handler(body, fakeContext())) as DetachResult & Refusal;
  return { answer, ecs };
}

describe('selecting instances by Target', () => {
  it('detaches exactly the holders of the key, found by the KeyPairName filter', async () => {
    // Prepare
    const ecs = region('a', 150);
    const holders = holdersOf(ecs);
    // Act
    const { answer } = await send({}, { ecs });
    // Assess
    expect(answer).toMatchObject({ Target: 'Holders', TotalCount: 150, DetachedCount: 150 });
    expect(answer.Results.map((r) => r.InstanceId)).toEqual(holders);
    expect(answer.Results[0]).toMatchObject({ RegionId: 'cn-hangzhou', Status: 'Detached' });
    expect(answer.Regions).toEqual([{ RegionId: 'cn-hangzhou', SelectedCount: 150, FailCount: 0 }]);
    expect(holdersOf(ecs)).toEqual([]);
    // 150 holders: two filtered pages, and the plan classifies from them without a call.
    expect(ecs.callsOf('DescribeInstances')).toHaveLength(2);
  });

  it('narrows the selection by tags', async () => {
    // Prepare
    const ecs = region('a', 10, 4);
    const tagged = holdersOf(ecs).slice(0, 4);
    // Act
    const { answer } = await send({ Tags: PROD }, { ecs });
    // Assess
    expect(answer.Results.map((r) => r.InstanceId)).toEqual(tagged);
    expect(holdersOf(ecs)).toHaveLength(6);
  });

  it('changes nothing and answers 409 when ExpectedCount differs, saying where and which', async () => {
    // Prepare
    const ecs = region('a', 7);
    // Act
    const { answer } = await send({ ExpectedCount: 5 }, { ecs });
    // Assess
    expect(answer.Code).toBe('SelectionMismatch');
    expect(answer.Message).toContain('ExpectedCount is 5, but 7 instance(s) were selected');
    expect(answer.Message).toContain(`cn-hangzhou: 7, e.g. ${holdersOf(ecs)[0]}`);
    expect(ecs.callsOf('DetachKeyPair')).toEqual([]);
    expect(holdersOf(ecs)).toHaveLength(7);
  });

  it('refuses a selection past MAX_INSTANCES before any change, without reading the rest', async () => {
    // Prepare
    const ecs = region('a', 450);
    // Act
    const { answer } = await send({}, { ecs, env: { MAX_INSTANCES: '120' } });
    // Assess
    expect(answer.Code).toBe('PolicyDenied');
    expect(answer.Errors?.[0]).toMatchObject({ Pointer: '/Target' });
    expect(answer.Message).toContain('more than 120 instances');
    expect(ecs.callsOf('DescribeInstances')).toHaveLength(2);
    expect(ecs.callsOf('DetachKeyPair')).toEqual([]);
  });

  it('answers an empty selection with TotalCount 0, calling nothing beyond it', async () => {
    // Prepare
    const ecs = region('a', 0);
    // Act
    const { answer } = await send({ Mode: 'Online' }, { ecs });
    // Assess
    expect(answer).toMatchObject({ TotalCount: 0, FailCount: 0, Results: [] });
    expect(ecs.calls.map((call) => call.action)).toEqual(['DescribeInstances']);
  });

  it('returns the selection and the plan in a dry run, and changes nothing', async () => {
    // Prepare
    const ecs = region('a', 3);
    // Act
    const { answer } = await send({ DryRun: true, DeleteKeyPair: true }, { ecs });
    // Assess
    expect(answer).toMatchObject({ TotalCount: 3, WouldDetachCount: 3 });
    expect(answer.Regions?.[0]).toMatchObject({
      SelectedCount: 3,
      KeyPair: { Status: 'WouldDelete' },
    });
    expect(ecs.callsOf('DetachKeyPair')).toEqual([]);
    expect(ecs.callsOf('DeleteKeyPairs')).toEqual([]);
  });

  it('deletes the key pair once every holder is detached', async () => {
    // Prepare
    const ecs = region('a', 3);
    // Act
    const { answer } = await send({ DeleteKeyPair: true }, { ecs });
    // Assess
    expect(answer.Regions?.[0].KeyPair).toMatchObject({ Status: 'Deleted' });
    expect(ecs.keyPairs.has(KEY)).toBe(false);
  });

  it('keeps the key pair when an instance failed, and reports ECS refusing while one holds it', async () => {
    // Prepare
    const failing = region('a', 3);
    const [stuck] = holdersOf(failing);
    failing.failWhen('DetachKeyPair', (ids) =>
      ids.includes(stuck) ? ecsError('client', 'InstanceKeyPairLimitExceeded') : undefined,
    );
    const untagged = region('b', 3, 1);
    // Act
    const { answer: failed } = await send({ DeleteKeyPair: true }, { ecs: failing });
    const { answer: refused } = await send({ DeleteKeyPair: true, Tags: PROD }, { ecs: untagged });
    // Assess
    expect(failed.Regions?.[0].KeyPair).toMatchObject({ Status: 'Kept', Code: 'InstancesFailed' });
    expect(failing.callsOf('DeleteKeyPairs')).toEqual([]);
    expect(refused.Regions?.[0].KeyPair).toMatchObject({
      Status: 'Kept',
      Code: 'InvalidParameter.KeypairAlreadyAttachedInstance',
    });
    expect(untagged.callsOf('DeleteKeyPairs')).toHaveLength(1);
    expect(untagged.keyPairs.has(KEY)).toBe(true);
  });

  it('with "*", works in exactly the regions that hold the key pair', async () => {
    // Prepare
    const hangzhou = region('a', 2);
    const shanghai = region('b', 3);
    const beijing = new FakeEcs('native');
    beijing.seed(instanceIds(2, 'c'), { osType: 'linux' });
    hangzhou.regionIds = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'];
    const regions = { 'cn-hangzhou': hangzhou, 'cn-shanghai': shanghai, 'cn-beijing': beijing };
    // Act
    const { answer } = await send({ RegionId: '*', ExpectedCount: 5 }, { regions });
    // Assess
    expect(answer).toMatchObject({ RegionId: '*', TotalCount: 5, DetachedCount: 5 });
    expect(answer.Regions?.map((r) => [r.RegionId, r.SelectedCount])).toEqual([
      ['cn-hangzhou', 2],
      ['cn-shanghai', 3],
    ]);
    expect(beijing.callsOf('DescribeInstances')).toEqual([]);
    expect([hangzhou, shanghai].map((ecs) => holdersOf(ecs).length)).toEqual([0, 0]);
  });

  it('with "*", answers 404 when no region holds the key pair', async () => {
    // Prepare
    const ecs = new FakeEcs('native');
    ecs.regionIds = ['cn-hangzhou', 'cn-shanghai'];
    // Act
    const { answer } = await send({ RegionId: '*' }, { ecs });
    // Assess
    expect(answer).toMatchObject({ Code: 'InvalidKeyPairName.NotFound' });
    expect(answer.Message).toContain('none of the 2 region(s)');
  });

  it('with AllInstances and Online, cleans guests ECS no longer records the key for', async () => {
    // Prepare
    const ecs = new FakeEcs('native');
    const [holder] = ecs.seed(instanceIds(1, 'h'), { osType: 'linux', keyPairName: KEY });
    const [detachedEarlier] = ecs.seed(instanceIds(1, 'd'), {
      osType: 'linux',
      guestHoldsKey: true,
    });
    ecs.seed(instanceIds(1, 'w'), { osType: 'windows' });
    // Act
    const { answer } = await send({ Target: 'AllInstances', Mode: 'Online' }, { ecs });
    // Assess
    expect(answer.Results.map((r) => [r.InstanceId, r.Status])).toEqual([
      [holder, 'Detached'],
      [detachedEarlier, 'Revoked'],
    ]);
  });

  it('goes on in the other regions when one fails as a whole, naming the failure there', async () => {
    // Prepare
    const hangzhou = region('a', 2);
    const shanghai = region('b', 2);
    shanghai.failWhen('DetachKeyPair', () =>
      ecsError('forbidden', 'Forbidden.RAM', { statusCode: 403 }),
    );
    const regions = { 'cn-hangzhou': hangzhou, 'cn-shanghai': shanghai };
    // Act
    const { answer } = await send(
      { RegionId: ['cn-hangzhou', 'cn-shanghai'], DeleteKeyPair: true },
      { regions },
    );
    // Assess
    expect(answer).toMatchObject({ TotalCount: 4, DetachedCount: 2, FailCount: 2 });
    expect(answer.Regions?.[1]).toMatchObject({
      RegionId: 'cn-shanghai',
      FailCount: 2,
      Code: 'Forbidden.RAM',
      KeyPair: { Status: 'Kept', Code: 'Forbidden.RAM' },
    });
    expect(answer.Regions?.[0].KeyPair).toMatchObject({ Status: 'Deleted' });
  });

  it('looks only in ALLOWED_REGIONS for "*", and refuses a list reaching outside them', async () => {
    // Prepare
    const shanghai = region('b', 2);
    const hangzhou = region('a', 2);
    shanghai.regionIds = ['cn-hangzhou', 'cn-shanghai'];
    const regions = { 'cn-hangzhou': hangzhou, 'cn-shanghai': shanghai };
    const env = { ALLOWED_REGIONS: 'cn-shanghai' };
    // Act
    const { answer: everywhere } = await send({ RegionId: '*' }, { regions, env });
    const { answer: listed } = await send(
      { RegionId: ['cn-shanghai', 'cn-hangzhou'] },
      { regions, env },
    );
    // Assess
    expect(everywhere.Regions?.map((r) => r.RegionId)).toEqual(['cn-shanghai']);
    expect(hangzhou.calls).toEqual([]);
    expect(listed).toMatchObject({ Code: 'PolicyDenied' });
    expect(listed.Message).toContain('Region cn-hangzhou is not in ALLOWED_REGIONS');
  });

  it('reports DeleteKeyPairs refused otherwise as Failed, with ECS code', async () => {
    // Prepare
    const ecs = region('a', 2);
    ecs.failNext(
      'DeleteKeyPairs',
      ecsError('forbidden', 'Forbidden.RAM', { statusCode: 403, action: 'DeleteKeyPairs' }),
    );
    // Act
    const { answer } = await send({ DeleteKeyPair: true }, { ecs });
    // Assess
    expect(answer).toMatchObject({ DetachedCount: 2, FailCount: 0 });
    expect(answer.Regions?.[0].KeyPair).toMatchObject({ Status: 'Failed', Code: 'Forbidden.RAM' });
    expect(ecs.keyPairs.has(KEY)).toBe(true);
  });

  it('answers for a single region with the failure every call met, as a request by ids does', async () => {
    // Prepare
    const ecs = region('a', 2);
    ecs.failWhen('DetachKeyPair', () =>
      ecsError('forbidden', 'Forbidden.RAM', { statusCode: 403 }),
    );
    // Act
    const { answer } = await send({ DeleteKeyPair: true }, { ecs });
    // Assess
    expect(answer).toMatchObject({ Code: 'Forbidden.RAM' });
    expect(ecs.callsOf('DeleteKeyPairs')).toEqual([]);
  });

  it('names a region that selected nothing in a 409, with no ids', async () => {
    // Prepare
    const regions = { 'cn-hangzhou': region('a', 1), 'cn-shanghai': region('b', 0) };
    // Act
    const { answer } = await send(
      { RegionId: ['cn-hangzhou', 'cn-shanghai'], ExpectedCount: 2 },
      { regions },
    );
    // Assess
    expect(answer.Message).toContain('cn-shanghai: 0).');
  });
});
