/**
 * No one gets in, and no secret gets out. The built bundle behind the local FC runtime
 * (`authType: function`) refuses forged, replayed and tampered requests before any handler runs;
 * the policy allowlists and limits refuse without a single ECS call; and a full run through
 * every failure path, in a fresh node as FC runs the bundle, never prints a credential.
 */
import { signTriggerRequest } from '../../cli/acs3-sign';
import { send, type HttpReply } from '../../cli/http-client';
import {
  startEcsEmulator,
  type EcsEmulator,
  type FaultConfig,
  type IssuedCredentials,
  type RamPolicy,
} from '../../local/ecs-emulator';
import { startFcRuntime, type FcRuntime } from '../../local/fc-runtime';
import { MAX_BODY_BYTES } from '../../functions/detach-key-pair/src/triggers/http';
import { BUNDLE_PATH, requireBuiltBundle, runProcess, type ProcessResult } from '../e2e/helpers';
import { loadEvent } from '../helpers/events';
import { FUNCTION_ROLE_POLICY } from '../helpers/ram';
import { emulatorContext, internalsIn, KEY, REGION } from './support';

const INVOKE_BUNDLE = 'test/deploy/fixtures/invoke-bundle.mjs';
const MAX_INSTANCES = 10;

describe('security', () => {
  let emulator: EcsEmulator;
  let runtime: FcRuntime;
  /** What the runtime handed the function as its role's credentials. */
  const roleCredentials: IssuedCredentials[] = [];
  const replies: HttpReply[] = [];

  beforeAll(async () => {
    requireBuiltBundle();
    emulator = await startEcsEmulator({ port: 0 });
    runtime = await startFcRuntime({
      sYamlPath: null,
      httpTrigger: { authType: 'function' },
      ecsEmulator: {
        issueCredentials: (options) => {
          const issued = emulator.issueCredentials(options);
          roleCredentials.push(issued);
          return issued;
        },
      },
      rolePolicy: FUNCTION_ROLE_POLICY,
      env: {
        ECS_ENDPOINT: emulator.url,
        LOG_LEVEL: 'silent',
        ALLOWED_REGIONS: REGION,
        ALLOWED_KEY_PAIR_NAMES: 'leaked-*',
        MAX_INSTANCES: String(MAX_INSTANCES),
      },
    });
  });

  beforeEach(() => emulator.reset());

  afterAll(async () => {
    // Every runtime answer of this suite, refusals included, is searched for the role's secrets.
    const everything = JSON.stringify(replies);
    for (const issued of roleCredentials) {
      expect(everything).not.toContain(issued.accessKeySecret);
      expect(everything).not.toContain(issued.securityToken);
    }
    await runtime?.stop();
    await emulator?.stop();
  });

  const triggerUrl = () => new URL(`${runtime.url}/`);
  const request = (overrides: Record<string, unknown> = {}) =>
    Buffer.from(
      JSON.stringify({
        RegionId: REGION,
        KeyPairName: KEY,
        InstanceIds: ['i-bp1d6tsvznfghy7y0001'],
        ...overrides,
      }),
    );
  const signed = (body: Buffer, credentials = runtime.callerCredentials) =>
    signTriggerRequest(triggerUrl(), 'POST', body, credentials);

  async function post(headers: Record<string, string>, body: Buffer): Promise<HttpReply> {
    const reply = await send(triggerUrl(), 'POST', headers, body, 10_000);
    replies.push(reply);
    return reply;
  }

  /** Signed 20 minutes ago: a replay of a captured request. */
  function signedLongAgo(body: Buffer): Record<string, string> {
    jest.useFakeTimers({ now: Date.now() - 20 * 60 * 1000 });
    try {
      return signed(body);
    } finally {
      jest.useRealTimers();
    }
  }

  describe('the runtime refuses before the handler runs', () => {
    const body = request();
    const cases: [string, () => Record<string, string>, string][] = [
      ['unsigned', () => ({ 'content-type': 'application/json' }), 'MissingAuthorization'],
      [
        'signed with a wrong secret',
        () => signed(body, { ...runtime.callerCredentials, accessKeySecret: 'wrong' }),
        'SignatureNotMatch',
      ],
      [
        'signed by an unknown key',
        () => signed(body, { ...runtime.callerCredentials, accessKeyId: 'STS.nobody' }),
        'InvalidAccessKeyID',
      ],
      [
        'without its security token',
        () => signed(body, { ...runtime.callerCredentials, securityToken: undefined }),
        'InvalidSecurityToken',
      ],
      [
        'with another security token',
        () => signed(body, { ...runtime.callerCredentials, securityToken: 'CAISforged' }),
        'InvalidSecurityToken',
      ],
      ['replayed with an old date', () => signedLongAgo(body), 'RequestTimeTooSkewed'],
      [
        'with a tampered body',
        () => signed(request({ InstanceIds: ['i-bp1d6tsvznfghy7y0002'] })),
        'SignatureNotMatch',
      ],
      [
        'with its signed body hash removed',
        () => {
          const headers = signed(body);
          delete headers['x-acs-content-sha256'];
          return headers;
        },
        'SignatureNotMatch',
      ],
    ];

    it.each(cases)('a request %s', async (_, headersFor, code) => {
      // Prepare
      const before = runtime.invocations.length;

      // Act
      const reply = await post(headersFor(), body);

      // Assess
      expect(reply.status).toBe(403);
      expect(JSON.parse(reply.body)).toMatchObject({ ErrorCode: code });
      expect(runtime.invocations).toHaveLength(before);
      expect(emulator.requestLog).toStrictEqual([]);
    });

    it('a replayed nonce, even within the allowed clock skew', async () => {
      // Prepare
      const headers = signed(request({ DryRun: true }));
      await post(headers, request({ DryRun: true }));
      const before = runtime.invocations.length;
      const ecsCalls = emulator.requestLog.length;

      // Act
      const replay = await post(headers, request({ DryRun: true }));

      // Assess
      expect(replay.status).toBe(403);
      expect(JSON.parse(replay.body)).toMatchObject({ ErrorCode: 'SignatureNonceUsed' });
      expect(runtime.invocations).toHaveLength(before);
      expect(emulator.requestLog).toHaveLength(ecsCalls);
    });
  });

  describe('the function refuses what its policy and limits forbid, without calling ECS', () => {
    const ids = (count: number) =>
      Array.from(
        { length: count },
        (_, index) => `i-bp1d6tsvznfghy${String(index).padStart(4, '0')}`,
      );
    const cases: [string, Buffer, number, string, string][] = [
      [
        'a region outside ALLOWED_REGIONS',
        request({ RegionId: 'cn-beijing' }),
        403,
        'PolicyDenied',
        '/RegionId',
      ],
      [
        'a key pair outside ALLOWED_KEY_PAIR_NAMES',
        request({ KeyPairName: 'prod-admin' }),
        403,
        'PolicyDenied',
        '/KeyPairName',
      ],
      [
        'more instances than MAX_INSTANCES',
        request({ InstanceIds: ids(MAX_INSTANCES + 1) }),
        400,
        'InvalidParameter',
        '/InstanceIds',
      ],
      [
        'a __proto__ key',
        Buffer.from(request().toString().replace('{', '{"__proto__":{"polluted":1},')),
        400,
        'InvalidParameter',
        '/__proto__',
      ],
      [
        'a constructor.prototype key',
        Buffer.from(
          request().toString().replace('{', '{"constructor":{"prototype":{"polluted":1}},'),
        ),
        400,
        'InvalidParameter',
        '/constructor',
      ],
    ];

    it.each(cases)('%s', async (_, body, status, code, pointer) => {
      // Act
      const reply = await post(signed(body), body);

      // Assess
      expect(reply.status).toBe(status);
      const problem = JSON.parse(reply.body);
      expect(problem).toMatchObject({ status, code });
      expect(problem.errors.map((error: { pointer: string }) => error.pointer)).toContain(pointer);
      expect(internalsIn(reply.body)).toBeUndefined();
      expect(emulator.requestLog).toStrictEqual([]);
    });

    it(`refuses a body over ${MAX_BODY_BYTES} bytes with 413, and reads one of exactly that size`, async () => {
      // Prepare
      const padded = (size: number) => {
        const compact = request({ DryRun: true });
        return Buffer.concat([
          compact.subarray(0, 1),
          Buffer.alloc(size - compact.length, ' '),
          compact.subarray(1),
        ]);
      };
      emulator.state.createKeyPair(REGION, KEY);

      // Act
      const atLimit = await post(signed(padded(MAX_BODY_BYTES)), padded(MAX_BODY_BYTES));
      const callsAtLimit = emulator.requestLog.length;
      const over = await post(signed(padded(MAX_BODY_BYTES + 1)), padded(MAX_BODY_BYTES + 1));

      // Assess
      expect(atLimit.status).toBe(200);
      expect(over.status).toBe(413);
      expect(JSON.parse(over.body)).toMatchObject({ code: 'PayloadTooLarge' });
      expect(emulator.requestLog).toHaveLength(callsAtLimit);
    });

    it('stays unpolluted after hostile keys: the next request is answered as usual', async () => {
      // Prepare
      const hostile = Buffer.from('{"__proto__":{"RegionId":"cn-beijing","isAdmin":true}}');
      await post(signed(hostile), hostile);
      const [instance] = emulator.state.seedFleet({ regionId: REGION, count: 1, keyPairName: KEY });
      const body = request({ InstanceIds: [instance], DryRun: true });

      // Act
      const reply = await post(signed(body), body);

      // Assess
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body)).toMatchObject({ RegionId: REGION, WouldDetachCount: 1 });
      expect(JSON.parse(reply.body)).not.toHaveProperty('isAdmin');
    });
  });

  describe('credentials never appear in any output', () => {
    interface Scenario {
      name: string;
      event: (request: object) => unknown;
      credentials?: { ttlSeconds?: number; policy?: RamPolicy; wrongSecret?: boolean };
      faults?: FaultConfig;
      timeoutSeconds?: number;
    }
    const direct = (request: object) => request;
    const overHttp = (request: object) => ({
      ...loadEvent<object>('http/post-json.json'),
      body: JSON.stringify(request),
    });
    const describeOnly: RamPolicy = {
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: 'ecs:DescribeInstances', Resource: '*' }],
    };
    const scenarios: Scenario[] = [
      { name: 'dry run', event: (request) => ({ ...request, DryRun: true }) },
      { name: 'success over HTTP', event: overHttp },
      { name: 'expired token', event: direct, credentials: { ttlSeconds: -1 } },
      { name: 'wrong secret', event: direct, credentials: { wrongSecret: true } },
      { name: 'RAM denial', event: overHttp, credentials: { policy: describeOnly } },
      { name: 'ECS 5xx', event: direct, faults: { error503Rate: 1 } },
      { name: 'throttled', event: overHttp, faults: { throttleRate: 1, retryAfterMs: 50 } },
      { name: 'dropped connections', event: direct, faults: { dropRate: 1 } },
      { name: 'lost answers', event: direct, faults: { hangMs: 3000 }, timeoutSeconds: 2 },
      { name: 'invalid request', event: (request) => ({ ...request, InstanceIds: 7 }) },
    ];

    /**
     * The bundle in a fresh node, as FC runs it, against an emulator of its own (faults are
     * per emulator, so the scenarios run side by side), with every line it prints kept.
     */
    async function runBundle(scenario: Scenario) {
      const ecs = await startEcsEmulator({ port: 0 });
      try {
        const ids = ecs.state.seedFleet({ regionId: REGION, count: 3, keyPairName: KEY });
        if (scenario.faults) ecs.setFaults('*', scenario.faults);
        const { context, issued } = emulatorContext(ecs, {
          timeoutSeconds: scenario.timeoutSeconds ?? 20,
          ...scenario.credentials,
        });
        const used = scenario.credentials?.wrongSecret
          ? {
              ...context,
              credentials: { ...context.credentials, accessKeySecret: 'not-the-secret' },
            }
          : context;
        const event = scenario.event({ RegionId: REGION, KeyPairName: KEY, InstanceIds: ids });
        const output: ProcessResult = await runProcess(
          process.execPath,
          [INVOKE_BUNDLE, BUNDLE_PATH, JSON.stringify(event), JSON.stringify(used)],
          { ECS_ENDPOINT: ecs.url, LOG_LEVEL: 'trace' },
        );
        const detached = ids.filter((id) => ecs.state.instance(id)?.KeyPairName === undefined);
        return {
          scenario: scenario.name,
          output,
          issued,
          detached,
          ecsLog: JSON.stringify(ecs.requestLog),
        };
      } finally {
        await ecs.stop();
      }
    }

    it('in a full run through success and every failure path', async () => {
      // Act
      const runs = await Promise.all(scenarios.map(runBundle));

      // Assess
      for (const { scenario, output, issued, ecsLog } of runs) {
        const printed = `${output.stdout}\n${output.stderr}`;
        const leaks = {
          scenario,
          secret:
            printed.includes(issued.accessKeySecret) || ecsLog.includes(issued.accessKeySecret),
          token:
            printed.includes(issued.securityToken ?? '') ||
            ecsLog.includes(issued.securityToken ?? ''),
          // The emulator logs the key id a request claims, as ECS does; the function never prints it.
          keyId: printed.includes(issued.accessKeyId),
        };
        expect(leaks).toEqual({ scenario, secret: false, token: false, keyId: false });
        expect(printed).toMatch(/"level":"/);
      }
      // The paths ran as intended: a detach, and a thrown error (so FC retries) for 5xx.
      const byName = new Map(runs.map((run) => [run.scenario, run]));
      expect(byName.get('success over HTTP')?.detached).toHaveLength(3);
      expect(byName.get('ECS 5xx')?.output.code).toBe(1);
      expect(byName.get('RAM denial')?.output.stdout).toContain('"statusCode":403');
    });
  });
});
