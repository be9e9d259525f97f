import { EcsState } from '../../local/ecs-emulator';
import { seededRandom } from '../../local/ecs-emulator/random';
import { compilePolicy, isAllowed } from '../../local/ecs-emulator/ram';

describe('ECS emulator state', () => {
  it('loads a JSON fixture and keeps one key pair per instance', () => {
    // Prepare
    const state = new EcsState({ random: seededRandom(1), rebootMs: 100 });

    // Act
    state.load({
      regions: ['me-east-1'],
      keyPairs: [{ RegionId: 'cn-hangzhou', KeyPairName: 'unused' }],
      instances: [
        { InstanceId: 'i-fixture0000000000001', RegionId: 'cn-hangzhou', KeyPairName: 'a' },
      ],
      fleets: [{ regionId: 'cn-hangzhou', count: 2, keyPairName: 'b' }],
    });
    const record = state.findInstance('i-fixture0000000000001');
    if (record) state.setKeyPair(record, 'b');

    // Assess
    expect(state.hasRegion('me-east-1')).toBe(true);
    expect(state.keyPairs('cn-hangzhou').map((k) => k.name)).toEqual(['unused', 'a', 'b']);
    expect(state.instancesHolding('cn-hangzhou', 'a')).toEqual([]);
    expect(state.instancesHolding('cn-hangzhou', 'b')).toHaveLength(3);
    expect(state.instance('i-fixture0000000000001')).toEqual({
      InstanceId: 'i-fixture0000000000001',
      RegionId: 'cn-hangzhou',
      OSType: 'linux',
      Status: 'Running',
      KeyPairName: 'b',
    });
  });

  it('generates the same instance ids for the same seed', () => {
    // Prepare
    const fleet = () =>
      new EcsState({ random: seededRandom(9), rebootMs: 100 }).seedFleet({
        regionId: 'cn-hangzhou',
        count: 3,
      });

    // Act
    const [first, second] = [fleet(), fleet()];

    // Assess
    expect(second).toEqual(first);
    expect(first[0]).toMatch(/^i-[a-z0-9]{20}$/);
  });
});

describe('RAM policy evaluation', () => {
  const policy = compilePolicy({
    Version: '1',
    Statement: [
      { Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*' },
      { Effect: 'Allow', Action: 'ecs:detachkeypair', Resource: 'acs:ecs:cn-*:*:*' },
      { Effect: 'Deny', Action: '*', Resource: 'acs:ecs:*:*:keypair/prod-?' },
    ],
  });

  it.each([
    ['ecs:DescribeInstances', ['acs:ecs:us-west-1:1:instance/*'], true],
    [
      'ecs:DetachKeyPair',
      ['acs:ecs:cn-hangzhou:1:instance/i-1', 'acs:ecs:cn-hangzhou:1:keypair/k'],
      true,
    ],
    ['ecs:DetachKeyPair', ['acs:ecs:us-west-1:1:instance/i-1'], false],
    ['ecs:DetachKeyPair', ['acs:ecs:cn-hangzhou:1:keypair/prod-1'], false],
    ['ecs:DescribeKeyPairs', ['acs:ecs:cn-hangzhou:1:keypair/prod-1'], false],
    ['ecs:AttachKeyPair', ['acs:ecs:cn-hangzhou:1:instance/i-1'], false],
  ])('%s on %j is allowed: %s', (action, resources, expected) => {
    // Prepare
    const compiled = policy;

    // Act
    const allowed = isAllowed(compiled, action, resources);

    // Assess
    expect(allowed).toBe(expected);
  });
});
