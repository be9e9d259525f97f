import {
  normalizeDetachReply,
  normalizeInstance,
  toBoolean,
} from '../../functions/detach-key-pair/src/ecs/normalize';
import { buildResult } from '../../functions/detach-key-pair/src/job/assemble';
import type { InstanceOutcome } from '../../functions/detach-key-pair/src/result';

describe('normalization of ECS values', () => {
  it.each([
    [true, true],
    ['true', true],
    ['True', true],
    [false, false],
    ['false', false],
    [1, false],
    [undefined, false],
  ])('reads Success %p as %p', (value, expected) => {
    // Act
    const success = toBoolean(value);
    // Assess
    expect(success).toBe(expected);
  });

  it.each([
    ['strings, as the SDK casts them', { success: ['true', 'false'], code: ['200', '400'] }],
    ['numbers and booleans, as the API docs show', { success: [true, false], code: [200, 400] }],
  ])('normalizes a DetachKeyPair reply rendered as %s', (_form, rendered) => {
    // Prepare
    const reply = {
      requestId: 'REQ-1',
      results: [
        {
          instanceId: 'i-a',
          success: rendered.success[0],
          code: rendered.code[0],
          message: 'successful',
        },
        {
          instanceId: 'i-b',
          success: rendered.success[1],
          code: rendered.code[1],
          message: 'not bound',
        },
      ],
    };
    // Act
    const normalized = normalizeDetachReply(reply);
    // Assess
    expect(normalized).toStrictEqual({
      requestId: 'REQ-1',
      entries: new Map([
        ['i-a', { success: true, code: '200', message: 'successful' }],
        ['i-b', { success: false, code: '400', message: 'not bound' }],
      ]),
    });
  });

  it.each([
    [
      { instanceId: 'i-a', osType: 'Windows', keyPairName: '' },
      { instanceId: 'i-a', isWindows: true, keyPairName: undefined },
    ],
    [
      { instanceId: 'i-a', osType: 'linux', keyPairName: 'k' },
      { instanceId: 'i-a', isWindows: false, keyPairName: 'k' },
    ],
    [
      { instanceId: 'i-a', osType: undefined, keyPairName: null },
      { instanceId: 'i-a', isWindows: false, keyPairName: undefined },
    ],
  ])('normalizes the described instance %p', (described, expected) => {
    // Act
    const instance = normalizeInstance(described);
    // Assess
    expect(instance).toStrictEqual(expected);
  });
});

describe('buildResult', () => {
  it('gives one entry per requested instance, in order, with counts that add up', () => {
    // Prepare
    const request = {
      RegionId: 'cn-hangzhou',
      KeyPairName: 'k1',
      DryRun: false,
      InstanceIds: ['i-a', 'i-b', 'i-c', 'i-d'],
      Mode: 'Detach' as const,
      ForceReboot: false,
    };
    const outcomes = new Map<string, InstanceOutcome>([
      ['i-c', { status: 'Skipped', code: 'KeyPairNotAttached', message: 'none', retryable: false }],
      ['i-a', { status: 'Detached', code: '200', message: 'successful', retryable: false }],
      ['i-b', { status: 'Failed', code: 'DeadlineExceeded', message: 'late', retryable: true }],
    ]);
    // Act
    const result = buildResult('req-1', request, outcomes, ['E1', 'E2']);
    // Assess
    expect(result).toStrictEqual({
      RequestId: 'req-1',
      RegionId: 'cn-hangzhou',
      KeyPairName: 'k1',
      Mode: 'Detach',
      DryRun: false,
      TotalCount: 4,
      DetachedCount: 1,
      RevokedCount: 0,
      WouldDetachCount: 0,
      WouldRevokeCount: 0,
      SkippedCount: 1,
      FailCount: 2,
      DeadlineExceeded: true,
      Results: [
        {
          InstanceId: 'i-a',
          Status: 'Detached',
          Success: true,
          Code: '200',
          Message: 'successful',
          Retryable: false,
          RestartRequired: true,
          PasswordLogin: 'AfterNextRestart',
        },
        {
          InstanceId: 'i-b',
          Status: 'Failed',
          Success: false,
          Code: 'DeadlineExceeded',
          Message: 'late',
          Retryable: true,
          RestartRequired: false,
        },
        {
          InstanceId: 'i-c',
          Status: 'Skipped',
          Success: true,
          Code: 'KeyPairNotAttached',
          Message: 'none',
          Retryable: false,
          RestartRequired: false,
        },
        {
          InstanceId: 'i-d',
          Status: 'Failed',
          Success: false,
          Code: 'NotProcessed',
          Message: expect.any(String),
          Retryable: true,
          RestartRequired: false,
        },
      ],
      EcsRequestIds: ['E1', 'E2'],
    });
  });
});
