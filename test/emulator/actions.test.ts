import * as $Ecs from '@alicloud/ecs20140526';
import {
  startEcsEmulator,
  type EcsEmulator,
  type IssuedCredentials,
} from '../../local/ecs-emulator';
import { callAction, ecsClient, REGION, rejectionOf } from './helpers';

const KEY = 'leaked-key';
const OTHER_KEY = 'other-key';

describe('ECS emulator actions, through the unmodified SDK', () => {
  let emu: EcsEmulator;
  let credentials: IssuedCredentials;

  beforeAll(async () => {
    emu = await startEcsEmulator({ seed: 7, behaviour: { rebootMs: 200 } });
    credentials = emu.issueCredentials({ sts: true });
  });
  afterAll(() => emu.stop());
  beforeEach(() => emu.reset());

  const detach = (instanceIds: string[], client = ecsClient(emu, credentials)) =>
    client.detachKeyPair(
      new $Ecs.DetachKeyPairRequest({
        regionId: REGION,
        keyPairName: KEY,
        instanceIds: JSON.stringify(instanceIds),
      }),
    );

  describe('DetachKeyPair', () => {
    it('detaches the key from instances holding it, one result entry each', async () => {
      // Prepare
      const ids = emu.state.seedFleet({ regionId: REGION, count: 3, keyPairName: KEY });

      // Act
      const response = await detach(ids);

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.body?.totalCount).toBe('3');
      expect(response.body?.failCount).toBe('0');
      expect(response.body?.results?.result?.map((r) => [r.instanceId, r.success, r.code])).toEqual(
        ids.map((id) => [id, 'true', '200']),
      );
      expect(ids.map((id) => emu.state.instance(id)?.KeyPairName)).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
    });

    it.each([
      ['native', { TotalCount: 1, FailCount: 0, Success: true, Code: 200 }],
      ['string', { TotalCount: '1', FailCount: '0', Success: 'true', Code: '200' }],
    ] as const)('sends counts and entry fields in the %s style', async (style, expected) => {
      // Prepare
      const styled = await startEcsEmulator({ behaviour: { resultFieldStyle: style } });
      const [id] = styled.state.seedFleet({ regionId: REGION, count: 1, keyPairName: KEY });
      const client = ecsClient(styled, styled.issueCredentials());

      try {
        // Act: callApi returns the body as parsed JSON, before the SDK casts it to strings.
        const response = await callAction(client, 'DetachKeyPair', {
          RegionId: REGION,
          KeyPairName: KEY,
          InstanceIds: JSON.stringify([id]),
        });

        // Assess
        const { Success, Code, ...counts } = expected;
        expect(response.body).toMatchObject({
          ...counts,
          Results: { Result: [{ InstanceId: id, Success, Code, Message: 'successful' }] },
        });
      } finally {
        await styled.stop();
      }
    });

    it('reports unknown instances and instances without the key as failed entries', async () => {
      // Prepare
      const [other] = emu.state.seedFleet({ regionId: REGION, count: 1, keyPairName: OTHER_KEY });
      const [none] = emu.state.seedFleet({ regionId: REGION, count: 1 });
      emu.state.createKeyPair(REGION, KEY);

      // Act
      const response = await detach([other, none, 'i-doesnotexist0000000']);

      // Assess
      expect(response.body?.totalCount).toBe('3');
      expect(response.body?.failCount).toBe('3');
      expect(response.body?.results?.result?.map((r) => [r.success, r.code])).toEqual([
        ['false', '400'],
        ['false', '400'],
        ['false', '404'],
      ]);
      expect(emu.state.instance(other)?.KeyPairName).toBe(OTHER_KEY);
    });

    it('fails the whole call when a Windows instance is in the batch', async () => {
      // Prepare
      const linux = emu.state.seedFleet({ regionId: REGION, count: 2, keyPairName: KEY });
      const windows = emu.state.seedFleet({ regionId: REGION, count: 1, osType: 'windows' });

      // Act
      const error = await rejectionOf(detach([...linux, ...windows]));

      // Assess
      expect(error).toMatchObject({ statusCode: 403, code: 'DependencyViolation.WindowsInstance' });
      expect(linux.map((id) => emu.state.instance(id)?.KeyPairName)).toEqual([KEY, KEY]);
    });

    it('refuses more than 50 instance ids', async () => {
      // Prepare
      const ids = emu.state.seedFleet({ regionId: REGION, count: 51, keyPairName: KEY });

      // Act
      const error = await rejectionOf(detach(ids));

      // Assess
      expect(error).toMatchObject({
        statusCode: 400,
        code: 'InvalidInstanceIds.ValueNotSupported',
      });
    });

    it('refuses an unknown key pair with 400 InvalidKeyPairName.NotFound', async () => {
      // Prepare
      const ids = emu.state.seedFleet({ regionId: REGION, count: 1 });

      // Act
      const error = await rejectionOf(detach(ids));

      // Assess
      expect(error).toMatchObject({ statusCode: 400, code: 'InvalidKeyPairName.NotFound' });
    });

    it('refuses a missing KeyPairName and an unknown region', async () => {
      // Prepare
      const client = ecsClient(emu, credentials);

      // Act
      const missing = await rejectionOf(
        client.detachKeyPair(
          new $Ecs.DetachKeyPairRequest({ regionId: REGION, instanceIds: '[]' }),
        ),
      );
      const region = await rejectionOf(
        client.detachKeyPair(
          new $Ecs.DetachKeyPairRequest({
            regionId: 'xx-nowhere-1',
            keyPairName: KEY,
            instanceIds: '["i-a"]',
          }),
        ),
      );

      // Assess
      expect(missing).toMatchObject({ statusCode: 400, code: 'MissingParameter' });
      expect(region).toMatchObject({ statusCode: 404, code: 'InvalidRegionId.NotFound' });
    });
  });

  describe('behaviour options', () => {
    it('can answer NotFound with 404, omit unactionable entries, and succeed on unbound ones', async () => {
      // Prepare
      const other = await startEcsEmulator({
        behaviour: {
          keyPairNotFoundStatus: 404,
          unknownInstance: 'omit',
          keyPairNotBound: 'succeed',
        },
      });
      const otherCredentials = other.issueCredentials();
      const client = ecsClient(other, otherCredentials);
      const [none] = other.state.seedFleet({ regionId: REGION, count: 1 });

      try {
        // Act
        const notFound = await rejectionOf(detach([none], client));
        other.state.createKeyPair(REGION, KEY);
        const response = await detach([none, 'i-doesnotexist0000000'], client);

        // Assess
        expect(notFound).toMatchObject({ statusCode: 404, code: 'InvalidKeyPairName.NotFound' });
        expect(response.body?.totalCount).toBe('1');
        expect(response.body?.results?.result?.map((r) => [r.instanceId, r.success])).toEqual([
          [none, 'true'],
        ]);
      } finally {
        await other.stop();
      }
    });
  });

  describe('AttachKeyPair', () => {
    it('binds the key, replacing the one an instance held', async () => {
      // Prepare
      const ids = emu.state.seedFleet({ regionId: REGION, count: 2, keyPairName: OTHER_KEY });
      emu.state.createKeyPair(REGION, KEY);

      // Act
      const response = await ecsClient(emu, credentials).attachKeyPair(
        new $Ecs.AttachKeyPairRequest({
          regionId: REGION,
          keyPairName: KEY,
          instanceIds: JSON.stringify(ids),
        }),
      );

      // Assess
      expect(response.body?.failCount).toBe('0');
      expect(ids.map((id) => emu.state.instance(id)?.KeyPairName)).toEqual([KEY, KEY]);
      expect(emu.state.instancesHolding(REGION, OTHER_KEY)).toEqual([]);
    });
  });

  describe('DescribeInstances', () => {
    it('filters by ids and key pair, ten a page unless told otherwise', async () => {
      // Prepare
      const holding = emu.state.seedFleet({ regionId: REGION, count: 12, keyPairName: KEY });
      const without = emu.state.seedFleet({ regionId: REGION, count: 3 });
      const client = ecsClient(emu, credentials);

      // Act
      const byKey = await client.describeInstances(
        new $Ecs.DescribeInstancesRequest({ regionId: REGION, keyPairName: KEY }),
      );
      const byIds = await client.describeInstances(
        new $Ecs.DescribeInstancesRequest({
          regionId: REGION,
          instanceIds: JSON.stringify([without[0], holding[0], 'i-doesnotexist0000000']),
          maxResults: 100,
        }),
      );

      // Assess
      expect(byKey.body?.totalCount).toBe(12);
      expect(byKey.body?.instances?.instance?.map((i) => i.instanceId)).toEqual(
        holding.slice(0, 10),
      );
      expect(
        byIds.body?.instances?.instance?.map((i) => [i.instanceId, i.keyPairName, i.OSType]),
      ).toEqual([
        [holding[0], KEY, 'linux'],
        [without[0], '', 'linux'],
      ]);
      expect(byIds.body?.nextToken).toBe('');
    });

    it('pages by PageNumber and PageSize', async () => {
      // Prepare
      const ids = emu.state.seedFleet({ regionId: REGION, count: 25, keyPairName: KEY });

      // Act
      const page = await ecsClient(emu, credentials).describeInstances(
        new $Ecs.DescribeInstancesRequest({ regionId: REGION, pageNumber: 3, pageSize: 10 }),
      );

      // Assess
      expect(page.body?.pageNumber).toBe(3);
      expect(page.body?.totalCount).toBe(25);
      expect(page.body?.instances?.instance?.map((i) => i.instanceId)).toEqual(ids.slice(20));
    });

    it('refuses more than 100 instance ids', async () => {
      // Prepare
      const ids = Array.from({ length: 101 }, (_, i) => `i-${String(i).padStart(20, '0')}`);

      // Act
      const error = await rejectionOf(
        ecsClient(emu, credentials).describeInstances(
          new $Ecs.DescribeInstancesRequest({ regionId: REGION, instanceIds: JSON.stringify(ids) }),
        ),
      );

      // Assess
      expect(error).toMatchObject({ statusCode: 400, code: 'InvalidInstanceIds.Malformed' });
    });
  });

  describe('DescribeKeyPairs', () => {
    it('matches wildcards and pages at most 50', async () => {
      // Prepare
      for (const name of ['ssh-alice', 'ssh-bob', 'deploy-ssh', 'unrelated']) {
        emu.state.createKeyPair(REGION, name);
      }
      const client = ecsClient(emu, credentials);

      // Act
      const prefix = await client.describeKeyPairs(
        new $Ecs.DescribeKeyPairsRequest({ regionId: REGION, keyPairName: 'ssh*' }),
      );
      const anywhere = await client.describeKeyPairs(
        new $Ecs.DescribeKeyPairsRequest({
          regionId: REGION,
          keyPairName: '*ssh*',
          pageSize: 2,
          pageNumber: 2,
          includePublicKey: true,
        }),
      );
      const tooBig = await rejectionOf(
        client.describeKeyPairs(
          new $Ecs.DescribeKeyPairsRequest({ regionId: REGION, pageSize: 51 }),
        ),
      );

      // Assess
      expect(prefix.body?.keyPairs?.keyPair?.map((k) => k.keyPairName)).toEqual([
        'ssh-alice',
        'ssh-bob',
      ]);
      expect(anywhere.body?.totalCount).toBe(3);
      expect(anywhere.body?.keyPairs?.keyPair?.map((k) => k.keyPairName)).toEqual(['deploy-ssh']);
      expect(anywhere.body?.keyPairs?.keyPair?.[0].publicKey).toMatch(/^ssh-rsa /);
      expect(anywhere.body?.keyPairs?.keyPair?.[0].keyPairFingerPrint).toMatch(
        /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/,
      );
      expect(tooBig).toMatchObject({ statusCode: 400, code: 'InvalidParameter' });
    });
  });

  describe('RebootInstance', () => {
    it('goes Stopping, Starting, then Running again over the reboot time', async () => {
      // Prepare
      const [id] = emu.state.seedFleet({ regionId: REGION, count: 1 });
      const client = ecsClient(emu, credentials);
      const seen = new Set<string>();

      // Act
      await client.rebootInstance(new $Ecs.RebootInstanceRequest({ instanceId: id }));
      const again = await rejectionOf(
        client.rebootInstance(new $Ecs.RebootInstanceRequest({ instanceId: id })),
      );
      for (;;) {
        const status = emu.state.instance(id)?.Status ?? '';
        if (status === 'Running') break;
        seen.add(status);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }

      // Assess
      expect(again).toMatchObject({ statusCode: 403, code: 'IncorrectInstanceStatus' });
      expect([...seen]).toEqual(['Stopping', 'Starting']);
    });

    it('answers DryRunOperation for a dry run and 404 for an unknown instance', async () => {
      // Prepare
      const [id] = emu.state.seedFleet({ regionId: REGION, count: 1 });
      const client = ecsClient(emu, credentials);

      // Act
      const dryRun = await rejectionOf(
        client.rebootInstance(new $Ecs.RebootInstanceRequest({ instanceId: id, dryRun: true })),
      );
      const unknown = await rejectionOf(
        client.rebootInstance(
          new $Ecs.RebootInstanceRequest({ instanceId: 'i-doesnotexist0000000' }),
        ),
      );

      // Assess
      expect(dryRun).toMatchObject({ statusCode: 400, code: 'DryRunOperation' });
      expect(unknown).toMatchObject({ statusCode: 404, code: 'InvalidInstanceId.NotFound' });
      expect(emu.state.instance(id)?.Status).toBe('Running');
    });
  });

  describe('DescribeRegions', () => {
    it('lists the known regions, including ones seeded later', async () => {
      // Prepare
      emu.state.seedFleet({ regionId: 'ap-northeast-1', count: 1 });

      // Act
      const response = await ecsClient(emu, credentials).describeRegions(
        new $Ecs.DescribeRegionsRequest({}),
      );

      // Assess
      const regions = response.body?.regions?.region ?? [];
      expect(regions.map((r) => r.regionId)).toEqual(
        expect.arrayContaining([REGION, 'ap-northeast-1']),
      );
      expect(regions.find((r) => r.regionId === REGION)).toMatchObject({
        regionEndpoint: 'ecs.cn-hangzhou.aliyuncs.com',
        status: 'available',
      });
    });
  });

  describe('request log', () => {
    it('records each request without its signature or token', async () => {
      // Prepare
      const ids = emu.state.seedFleet({ regionId: REGION, count: 1, keyPairName: KEY });

      // Act
      await detach(ids);

      // Assess
      expect(emu.requestLog).toEqual([
        expect.objectContaining({
          action: 'DetachKeyPair',
          accessKeyId: credentials.accessKeyId,
          params: { RegionId: REGION, KeyPairName: KEY, InstanceIds: JSON.stringify(ids) },
          status: 200,
        }),
      ]);
      expect(JSON.stringify(emu.requestLog)).not.toContain(credentials.securityToken);
    });
  });
});
