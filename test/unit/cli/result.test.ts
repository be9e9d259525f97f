import { exitCodeFor, mergeResults } from '../../../cli/result';
import { entry, request, result } from './results';

describe('mergeResults', () => {
  it('concatenates results and request ids and sums the counts', () => {
    // Prepare
    const first = result(
      'req-1',
      [entry('i-a', 'Detached'), entry('i-b', 'Skipped')],
      ['ecs-1', 'ecs-2'],
    );
    const second = result('req-2', [entry('i-c', 'Failed')], ['ecs-3'], true);

    // Act
    const merged = mergeResults(request, [
      { kind: 'result', result: first },
      { kind: 'result', result: second },
    ]);

    // Assess
    expect(merged).toEqual({
      ...request,
      Mode: 'Detach',
      TotalCount: 3,
      DetachedCount: 1,
      RevokedCount: 0,
      WouldDetachCount: 0,
      WouldRevokeCount: 0,
      SkippedCount: 1,
      FailCount: 1,
      DeadlineExceeded: true,
      Results: [...first.Results, ...second.Results],
      EcsRequestIds: ['ecs-1', 'ecs-2', 'ecs-3'],
      RequestIds: ['req-1', 'req-2'],
    });
  });

  it('accounts for every instance of an invocation that failed as a whole', () => {
    // Prepare
    const done = result('req-1', [entry('i-a', 'Detached')], ['ecs-1']);

    // Act
    const merged = mergeResults(request, [
      { kind: 'result', result: done },
      {
        kind: 'failed',
        instanceIds: ['i-b', 'i-c'],
        code: 'UnhandledInvocationError',
        message: 'Function time out after 300 seconds',
        retryable: true,
      },
    ]);

    // Assess
    expect(merged.TotalCount).toBe(3);
    expect(merged.FailCount).toBe(2);
    expect(merged.Results.slice(1)).toEqual([
      {
        InstanceId: 'i-b',
        Status: 'Failed',
        Success: false,
        Code: 'UnhandledInvocationError',
        Message: 'Function time out after 300 seconds',
        Retryable: true,
        RestartRequired: false,
      },
      {
        InstanceId: 'i-c',
        Status: 'Failed',
        Success: false,
        Code: 'UnhandledInvocationError',
        Message: 'Function time out after 300 seconds',
        Retryable: true,
        RestartRequired: false,
      },
    ]);
    expect(merged.RequestIds).toEqual(['req-1']);
  });
  it.each([true, false])(
    "keeps a failed invocation's Retryable (%s) on its instances",
    (retryable) => {
      // Prepare
      const failed = {
        kind: 'failed' as const,
        instanceIds: ['i-a'],
        code: 'ServiceUnavailable',
        message: 'ECS did not complete DetachKeyPair (ServiceUnavailable). Retry later.',
        retryable,
      };

      // Act
      const merged = mergeResults(request, [failed]);

      // Assess
      expect(merged.Results).toEqual([expect.objectContaining({ Retryable: retryable })]);
    },
  );
});

describe('exitCodeFor', () => {
  it.each([
    ['every instance detached, skipped or would detach', ['Detached', 'Skipped', 'WouldDetach'], 0],
    ['one instance failed', ['Detached', 'Failed'], 1],
  ] as const)('is right when %s', (_, statuses, expected) => {
    // Prepare
    const merged = mergeResults(request, [
      {
        kind: 'result',
        result: result(
          'r',
          statuses.map((s, i) => entry(`i-${i}`, s)),
          [],
        ),
      },
    ]);

    // Act
    const code = exitCodeFor(merged);

    // Assess
    expect(code).toBe(expected);
  });
});
