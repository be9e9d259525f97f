/**
 * Bad input to the guest-facing actions gets an ECS error (a 4xx with a Code), never a 500, a
 * crash or a hang. Scripts sent here are fixed and harmless: only their parameters vary. Requests
 * stay under the emulator's 128 KB request head (larger ones are refused by Node's HTTP parser).
 */
import type Ecs from '@alicloud/ecs20140526';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEcsEmulator, type EcsEmulator } from '../../local/ecs-emulator';
import { callAction, ecsClient, REGION } from './helpers';

const ACTIONS = [
  'RunCommand',
  'InvokeCommand',
  'DescribeInvocations',
  'DescribeInvocationResults',
  'DescribeCloudAssistantStatus',
  'RebootInstances',
  'DescribeInstanceStatus',
  'ImportKeyPair',
  'CreateKeyPair',
  'DescribeKeyPairs',
];

const PARAMETERS = [
  'RegionId',
  'InstanceId.1',
  'InstanceId.0',
  'InstanceId.x',
  'InstanceId',
  'Type',
  'ContentEncoding',
  'Timeout',
  'Username',
  'WorkingDir',
  'EnableParameter',
  'Parameters',
  'ClientToken',
  'CommandId',
  'InvokeId',
  'MaxResults',
  'NextToken',
  'PageNumber',
  'PageSize',
  'BatchOptimization',
  'DryRun',
  'ForceReboot',
  'KeyPairName',
  'PublicKeyBody',
  'IncludeOutput',
  'RepeatMode',
  'KeepCommand',
  'OSType',
];

const oddValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('', '-1', '0', '1e9', '1.5', 'true', '[]', '{}', '{"a":{"b":1}}', 'null'),
  fc.constantFrom('\u0000', '../..', '%zz', '{{x}}', 'Base64', 'i-doesnotexist0000000'),
  fc.integer({ min: 250, max: 30_000 }).map((length) => 'a'.repeat(length)),
);

describe('ECS emulator guest actions under bad input', () => {
  let sandbox: string;
  let emu: EcsEmulator;
  let client: Ecs;
  let ids: string[];

  beforeAll(async () => {
    sandbox = mkdtempSync(join(tmpdir(), 'bad-input-test-'));
    emu = await startEcsEmulator({ guestDir: sandbox, timing: { agentDelayMs: 1, rebootMs: 20 } });
    client = ecsClient(emu, emu.issueCredentials());
    ids = emu.state.seedFleet({ regionId: REGION, count: 2 });
  });
  afterAll(async () => {
    await emu.stop();
    rmSync(sandbox, { recursive: true, force: true });
  });

  it('answers every request with a success or a 4xx ECS error', async () => {
    // Prepare
    const request = fc.record({
      action: fc.constantFrom(...ACTIONS),
      instance: fc.constantFrom(0, 1, undefined),
      odd: fc.array(fc.tuple(fc.constantFrom(...PARAMETERS), oddValue), { maxLength: 3 }),
    });
    const failures: string[] = [];

    // Act
    await fc.assert(
      fc.asyncProperty(request, async ({ action, instance, odd }) => {
        const query: Record<string, string> = {
          RegionId: REGION,
          Type: 'RunShellScript',
          CommandContent: 'true',
          Timeout: '5',
          ...(instance !== undefined && { 'InstanceId.1': ids[instance] }),
          ...Object.fromEntries(odd),
        };
        try {
          await callAction(client, action, query, { readTimeout: 10_000 });
        } catch (error) {
          const { statusCode, code } = error as { statusCode?: number; code?: string };
          if (!statusCode || statusCode >= 500 || !code) {
            failures.push(
              `${action} ${JSON.stringify(query).slice(0, 300)}: ${statusCode} ${code}`,
            );
          }
        }
      }),
      { numRuns: 400, seed: 14 },
    );

    // Assess
    expect(failures).toEqual([]);
  });
});
