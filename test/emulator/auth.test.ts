import * as $Ecs from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { startEcsEmulator, type EcsEmulator, type RamPolicy } from '../../local/ecs-emulator';
import { rpcSignature, rpcStringToSign } from '../../local/ecs-emulator/auth';
import { ecsClient, REGION, rejectionOf, sendRawAcs3 } from './helpers';

const KEY = 'leaked-key';

/** A timestamp as the SDK writes it, `minutes` away from now. */
function timestampFromNow(minutes: number): string {
  return new Date(Date.now() + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const describeRegions = new $Ecs.DescribeRegionsRequest({});

describe('ECS emulator authentication', () => {
  let emu: EcsEmulator;

  beforeAll(async () => {
    emu = await startEcsEmulator({ seed: 3 });
  });
  afterAll(() => emu.stop());

  describe.each([
    ['ACS3-HMAC-SHA256', {}],
    ['RPC v1 HMAC-SHA1', { signatureAlgorithm: 'v2' }],
  ])('%s', (_name, signing) => {
    it.each([false, true])('accepts a correctly signed request (STS: %s)', async (sts) => {
      // Prepare
      const client = ecsClient(emu, emu.issueCredentials({ sts }), signing);

      // Act
      const response = await client.describeRegions(describeRegions);

      // Assess
      expect(response.statusCode).toBe(200);
    });

    it('refuses a wrong secret with SignatureDoesNotMatch', async () => {
      // Prepare
      const credentials = { ...emu.issueCredentials(), accessKeySecret: 'not-the-secret' };

      // Act
      const error = await rejectionOf(
        ecsClient(emu, credentials, signing).describeRegions(describeRegions),
      );

      // Assess
      expect(error).toMatchObject({ statusCode: 400, code: 'SignatureDoesNotMatch' });
    });

    it('refuses an unknown access key id', async () => {
      // Prepare
      const credentials = { accessKeyId: 'LTAIunknown', accessKeySecret: 'whatever' };

      // Act
      const error = await rejectionOf(
        ecsClient(emu, credentials, signing).describeRegions(describeRegions),
      );

      // Assess
      expect(error).toMatchObject({ statusCode: 400, code: 'InvalidAccessKeyId.NotFound' });
    });

    it('refuses an expired STS token', async () => {
      // Prepare
      const credentials = emu.issueCredentials({ sts: true, ttlSeconds: -1 });

      // Act
      const error = await rejectionOf(
        ecsClient(emu, credentials, signing).describeRegions(describeRegions),
      );

      // Assess
      expect(error).toMatchObject({ statusCode: 400, code: 'InvalidSecurityToken.Expired' });
    });

    it('refuses an STS key presented with another token', async () => {
      // Prepare
      const credentials = { ...emu.issueCredentials({ sts: true }), securityToken: 'CAISforged' };

      // Act
      const error = await rejectionOf(
        ecsClient(emu, credentials, signing).describeRegions(describeRegions),
      );

      // Assess
      expect(error).toMatchObject({
        statusCode: 400,
        code: 'InvalidSecurityToken.MismatchWithAccessKey',
      });
    });
  });

  describe('ACS3 replay and clock checks', () => {
    it('refuses a replayed nonce', async () => {
      // Prepare: the SDK lets global headers override the nonce it generates, and still signs it.
      const client = ecsClient(emu, emu.issueCredentials(), {
        globalParameters: new $OpenApiUtil.GlobalParameters({
          headers: { 'x-acs-signature-nonce': 'nonce-used-twice' },
        }),
      });
      await client.describeRegions(describeRegions);

      // Act
      const error = await rejectionOf(client.describeRegions(describeRegions));

      // Assess
      expect(error).toMatchObject({ statusCode: 400, code: 'SignatureNonceUsed' });
    });

    it.each([-16, 16])('refuses a clock %i minutes off', async (minutes) => {
      // Prepare
      const client = ecsClient(emu, emu.issueCredentials(), {
        globalParameters: new $OpenApiUtil.GlobalParameters({
          headers: { 'x-acs-date': timestampFromNow(minutes) },
        }),
      });

      // Act
      const error = await rejectionOf(client.describeRegions(describeRegions));

      // Assess
      expect(error).toMatchObject({ statusCode: 400, code: 'InvalidTimeStamp.Expired' });
    });

    it('accepts a clock 14 minutes off', async () => {
      // Prepare
      const client = ecsClient(emu, emu.issueCredentials(), {
        globalParameters: new $OpenApiUtil.GlobalParameters({
          headers: { 'x-acs-date': timestampFromNow(-14) },
        }),
      });

      // Act
      const response = await client.describeRegions(describeRegions);

      // Assess
      expect(response.statusCode).toBe(200);
    });
  });

  describe('ACS3 requests no SDK would send', () => {
    it('accepts the raw request untampered (the baseline for the cases below)', async () => {
      // Prepare
      const credentials = emu.issueCredentials({ sts: true });

      // Act
      const response = await sendRawAcs3(emu, credentials);

      // Assess
      expect(response.status).toBe(200);
    });

    it.each([
      [
        'a query parameter changed after signing',
        (r: { query: Record<string, string> }) => (r.query.RegionId = 'cn-beijing'),
        'SignatureDoesNotMatch',
      ],
      [
        'a flipped signature',
        (r: { headers: Record<string, string> }) =>
          (r.headers.Authorization = r.headers.Authorization.replace(/.$/, (last) =>
            last === '0' ? '1' : '0',
          )),
        'SignatureDoesNotMatch',
      ],
      [
        'a body that does not match its signed hash',
        (r: { headers: Record<string, string> }) =>
          (r.headers['x-acs-content-sha256'] = '0'.repeat(64)),
        'SignatureDoesNotMatch',
      ],
      [
        'no Authorization header',
        (r: { headers: Record<string, string> }) => delete r.headers.Authorization,
        'IncompleteSignature',
      ],
      [
        'an Authorization without SignedHeaders',
        (r: { headers: Record<string, string> }) =>
          (r.headers.Authorization = r.headers.Authorization.replace(/SignedHeaders=[^,]*,/, '')),
        'IncompleteSignature',
      ],
      [
        'the nonce left out of the signed headers',
        (r: { headers: Record<string, string> }) =>
          (r.headers.Authorization = r.headers.Authorization.replace('x-acs-signature-nonce;', '')),
        'IncompleteSignature',
      ],
      [
        'a malformed date',
        (r: { headers: Record<string, string> }) => (r.headers['x-acs-date'] = 'yesterday'),
        'InvalidTimeStamp.Format',
      ],
    ])('refuses %s', async (_name, tamper, code) => {
      // Prepare
      const credentials = emu.issueCredentials({ sts: true });

      // Act
      const response = await sendRawAcs3(emu, credentials, tamper);

      // Assess
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        RequestId: expect.any(String),
        HostId: expect.any(String),
        Code: code,
        Message: expect.any(String),
      });
    });

    it('refuses an unknown action with 404 InvalidAction.NotFound', async () => {
      // Prepare
      const credentials = emu.issueCredentials();

      // Act
      const response = await sendRawAcs3(emu, credentials, (r) => {
        r.headers['x-acs-action'] = 'DeleteEverything';
      });

      // Assess
      expect(response.status).toBe(404);
      expect(response.body.Code).toBe('InvalidAction.NotFound');
    });
  });

  describe('RAM authorization', () => {
    const policy = (statements: RamPolicy['Statement']): RamPolicy => ({
      Version: '1',
      Statement: statements,
    });

    const detach = (emuCredentials: ReturnType<EcsEmulator['issueCredentials']>, ids: string[]) =>
      ecsClient(emu, emuCredentials).detachKeyPair(
        new $Ecs.DetachKeyPairRequest({
          regionId: REGION,
          keyPairName: KEY,
          instanceIds: JSON.stringify(ids),
        }),
      );

    it('allows what the policy allows and refuses the rest with 403 Forbidden.RAM', async () => {
      // Prepare
      const ids = emu.state.seedFleet({ regionId: REGION, count: 2, keyPairName: KEY });
      const credentials = emu.issueCredentials({
        sts: true,
        policy: policy([
          {
            Effect: 'Allow',
            Action: ['ecs:DescribeInstances', 'ecs:DetachKeyPair'],
            Resource: '*',
          },
        ]),
      });
      const client = ecsClient(emu, credentials);

      // Act
      const described = await client.describeInstances(
        new $Ecs.DescribeInstancesRequest({ regionId: REGION }),
      );
      const detached = await detach(credentials, ids);
      const attach = await rejectionOf(
        client.attachKeyPair(
          new $Ecs.AttachKeyPairRequest({
            regionId: REGION,
            keyPairName: KEY,
            instanceIds: JSON.stringify(ids),
          }),
        ),
      );

      // Assess
      expect(described.statusCode).toBe(200);
      expect(detached.body?.failCount).toBe('0');
      expect(attach).toMatchObject({ statusCode: 403, code: 'Forbidden.RAM' });
      expect(emu.state.instance(ids[0])?.KeyPairName).toBeUndefined();
    });

    it('limits by region and key pair name through Resource, and an explicit Deny wins', async () => {
      // Prepare
      const [allowed, denied] = emu.state.seedFleet({
        regionId: REGION,
        count: 2,
        keyPairName: KEY,
      });
      emu.state.seedFleet({ regionId: REGION, count: 1, keyPairName: 'prod-key' });
      const credentials = emu.issueCredentials({
        policy: policy([
          {
            Effect: 'Allow',
            Action: 'ecs:DetachKeyPair',
            Resource: [`acs:ecs:${REGION}:*:instance/*`, `acs:ecs:${REGION}:*:keypair/leaked-*`],
          },
          { Effect: 'Deny', Action: 'ecs:*', Resource: `acs:ecs:*:*:instance/${denied}` },
        ]),
      });

      // Act
      const ok = await detach(credentials, [allowed]);
      const deniedInstance = await rejectionOf(detach(credentials, [allowed, denied]));
      const otherKey = await rejectionOf(
        ecsClient(emu, credentials).detachKeyPair(
          new $Ecs.DetachKeyPairRequest({
            regionId: REGION,
            keyPairName: 'prod-key',
            instanceIds: JSON.stringify([allowed]),
          }),
        ),
      );

      // Assess
      expect(ok.body?.failCount).toBe('0');
      expect(deniedInstance).toMatchObject({ statusCode: 403, code: 'Forbidden.RAM' });
      expect(otherKey).toMatchObject({ statusCode: 403, code: 'Forbidden.RAM' });
      expect(emu.state.instance(denied)?.KeyPairName).toBe(KEY);
    });
  });

  describe('RPC v1 details', () => {
    it('signs the documented test vector as the ECS docs do', () => {
      // Prepare: DOCS-ECS "Request signatures", testid/testsecret, DescribeRegions.
      const params = {
        AccessKeyId: 'testid',
        Action: 'DescribeRegions',
        Format: 'XML',
        SignatureMethod: 'HMAC-SHA1',
        SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
        SignatureVersion: '1.0',
        Timestamp: '2016-02-23T12:46:24Z',
        Version: '2014-05-26',
      };

      // Act
      const signature = rpcSignature('testsecret', rpcStringToSign('GET', params));

      // Assess
      expect(signature).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
    });

    it.each(['SignatureNonce', 'Timestamp', 'AccessKeyId'])(
      'refuses a v1 request without %s with MissingParameter',
      async (missing) => {
        // Prepare
        const { accessKeyId } = emu.issueCredentials();
        const params: Record<string, string> = {
          Action: 'DescribeRegions',
          Version: '2014-05-26',
          Format: 'JSON',
          AccessKeyId: accessKeyId,
          SignatureMethod: 'HMAC-SHA1',
          SignatureVersion: '1.0',
          SignatureNonce: 'nonce-1',
          Timestamp: timestampFromNow(0),
          Signature: 'unchecked',
        };
        delete params[missing];

        // Act
        const response = await fetch(`${emu.url}/?${new URLSearchParams(params)}`, {
          method: 'POST',
        });

        // Assess
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({ Code: 'MissingParameter' });
      },
    );
  });
});
