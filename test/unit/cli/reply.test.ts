import { RefusedError } from '../../../cli/errors';
import { interpretFailure, interpretReply } from '../../../cli/reply';

const ids = ['i-a', 'i-b'];

describe('interpretReply', () => {
  it('takes a result body as the result', () => {
    // Prepare
    const body = JSON.stringify({
      RequestId: 'r',
      RegionId: 'cn-hangzhou',
      KeyPairName: 'k',
      DryRun: false,
      TotalCount: 0,
      DetachedCount: 0,
      WouldDetachCount: 0,
      SkippedCount: 0,
      FailCount: 0,
      Results: [],
      EcsRequestIds: [],
    });

    // Act
    const outcome = interpretReply({ status: 200, body }, ids);

    // Assess
    expect(outcome).toMatchObject({ kind: 'result', result: { RequestId: 'r' } });
  });

  it('fails the whole chunk when the function timed out', () => {
    // Prepare
    const reply = {
      status: 200,
      errorType: 'UnhandledInvocationError',
      body: '{"errorMessage":"Function time out after 300 seconds"}',
    };

    // Act
    const outcome = interpretReply(reply, ids);

    // Assess
    expect(outcome).toEqual({
      kind: 'failed',
      instanceIds: ids,
      code: 'UnhandledInvocationError',
      message: 'Function time out after 300 seconds',
    });
  });

  it('refuses when the function rejected the request itself', () => {
    // Prepare
    const reply = {
      status: 200,
      errorType: 'UnhandledInvocationError',
      body: '{"errorMessage":"The request has 1 invalid field(s).","errorType":"ValidationError"}',
    };

    // Act
    const interpret = (): unknown => interpretReply(reply, ids);

    // Assess
    expect(interpret).toThrow(RefusedError);
  });

  it('refuses a 4xx problem document with its detail and problems', () => {
    // Prepare
    const body = JSON.stringify({
      title: 'Invalid request',
      detail: 'The request has 1 invalid field(s).',
      code: 'InvalidParameter',
      problems: [{ pointer: '/RegionId', detail: 'is required' }],
    });

    // Act
    let refused: unknown;
    try {
      interpretReply({ status: 400, body }, ids);
    } catch (error) {
      refused = error;
    }

    // Assess
    expect(refused).toBeInstanceOf(RefusedError);
    expect(refused).toMatchObject({
      status: 400,
      code: 'InvalidParameter',
      message: 'The request has 1 invalid field(s). (/RegionId is required)',
    });
  });

  it('fails the chunk on a 5xx without a result', () => {
    // Prepare
    const reply = { status: 503, body: '{"title":"ECS unavailable","code":"ServiceUnavailable"}' };

    // Act
    const outcome = interpretReply(reply, ids);

    // Assess
    expect(outcome).toMatchObject({ kind: 'failed', code: 'ServiceUnavailable' });
  });
});

describe('interpretFailure', () => {
  it('refuses a 403 from FC', () => {
    // Prepare
    const fail = (): unknown => interpretFailure(403, 'SignatureNotMatch', 'failed with 403.', ids);

    // Act
    // Assess
    expect(fail).toThrow(RefusedError);
  });

  it.each([[429], [500], [undefined]])('fails the chunk for status %s', (status) => {
    // Prepare
    const message = 'connect ECONNREFUSED 127.0.0.1:1';

    // Act
    const outcome = interpretFailure(status, undefined, message, ids);

    // Assess
    expect(outcome).toEqual({
      kind: 'failed',
      instanceIds: ids,
      code: 'InvocationFailed',
      message,
    });
  });
});
