import { classifyInstance } from '../../functions/detach-key-pair/src/job/classify';
import { describeChunk } from '../../functions/detach-key-pair/src/job/describe';

describe('classifyInstance', () => {
  it.each([
    [
      'holds this key',
      { instanceId: 'i-a', isWindows: false, keyPairName: 'k1' },
      { action: 'detach' },
    ],
    [
      'holds no key',
      { instanceId: 'i-a', isWindows: false, keyPairName: undefined },
      {
        action: 'final',
        outcome: expect.objectContaining({ status: 'Skipped', code: 'KeyPairNotAttached' }),
      },
    ],
    [
      'holds another key',
      { instanceId: 'i-a', isWindows: false, keyPairName: 'k2' },
      {
        action: 'final',
        outcome: expect.objectContaining({
          status: 'Skipped',
          code: 'OtherKeyPairAttached',
          message: expect.stringContaining('k2'),
        }),
      },
    ],
    [
      'is Windows (even holding the key)',
      { instanceId: 'i-a', isWindows: true, keyPairName: 'k1' },
      {
        action: 'final',
        outcome: expect.objectContaining({
          status: 'Failed',
          code: 'DependencyViolation.WindowsInstance',
          retryable: false,
        }),
      },
    ],
    [
      'is not found',
      undefined,
      {
        action: 'final',
        outcome: expect.objectContaining({ status: 'Failed', code: 'InvalidInstanceId.NotFound' }),
      },
    ],
  ])('classifies an instance that %s', (_case, instance, expected) => {
    // Act
    const entry = classifyInstance('k1', instance);
    // Assess
    expect(entry).toStrictEqual(expected);
  });
});

describe('describeChunk', () => {
  it('follows NextToken until the last page', async () => {
    // Prepare
    const pages = new Map([
      [
        undefined,
        {
          requestId: 'R1',
          nextToken: 't1',
          instances: [{ instanceId: 'i-a', osType: 'linux', keyPairName: 'k' }],
        },
      ],
      [
        't1',
        {
          requestId: 'R2',
          nextToken: '',
          instances: [{ instanceId: 'i-b', osType: 'windows', keyPairName: '' }],
        },
      ],
    ]);
    const tokens: Array<string | undefined> = [];
    // Act
    const found = await describeChunk(async (token) => {
      tokens.push(token);
      return pages.get(token as 't1') ?? { instances: [] };
    });
    // Assess
    expect(tokens).toStrictEqual([undefined, 't1']);
    expect([...found.keys()]).toStrictEqual(['i-a', 'i-b']);
  });

  it('stops when ECS repeats a token', async () => {
    // Prepare
    let calls = 0;
    // Act
    await describeChunk(async () => {
      calls += 1;
      return { nextToken: 'same', instances: [] };
    });
    // Assess
    expect(calls).toBe(2);
  });
});
