/**
 * Every fixture is what the function itself produces (its presenters and its own errors), so a
 * change to the function's shapes breaks these tests rather than the CLI in the field.
 */
import { RefusedError } from '../../../cli/errors';
import { interpretFailure, interpretReply } from '../../../cli/reply';
import {
  EcsCallError,
  PolicyDeniedError,
  ValidationError,
} from '../../../functions/detach-key-pair/src/errors';
import {
  errorResult,
  retryableFailure,
} from '../../../functions/detach-key-pair/src/present/event-reply';
import { problemResponse } from '../../../functions/detach-key-pair/src/present/http-reply';
import { parseRequest } from '../../../functions/detach-key-pair/src/request';
import { buildResult } from '../../../functions/detach-key-pair/src/job/assemble';
import type { FcErrorBody } from '../../../local/fc-runtime/protocol';

const ids = ['i-bp1d6tsvznfghy7y0001', 'i-bp1d6tsvznfghy7y0002'];

/** The ValidationError the function's own validation throws for `payload`. */
function validationErrorFor(payload: unknown): ValidationError {
  try {
    parseRequest(payload, 1000);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('the payload passed validation');
}

/** What FC answers a synchronous caller when the handler throws `thrown`. */
function unhandledReply(thrown: Error) {
  const body: FcErrorBody = {
    errorMessage: thrown.message,
    errorType: thrown.name,
    stackTrace: (thrown.stack ?? '').split('\n'),
  };
  return { status: 200, errorType: 'UnhandledInvocationError', body: JSON.stringify(body) };
}

function refusalOf(interpret: () => unknown): RefusedError {
  try {
    interpret();
  } catch (error) {
    if (error instanceof RefusedError) return error;
    throw error;
  }
  throw new Error('no refusal');
}

const policyDenied = new PolicyDeniedError([
  {
    pointer: '/KeyPairName',
    detail: 'Key pair demo-key matches no pattern in ALLOWED_KEY_PAIR_NAMES (ops-*).',
  },
]);

describe('interpretReply', () => {
  it('takes a result body as the result', () => {
    // Prepare
    const result = buildResult(
      'req-1',
      {
        RegionId: 'cn-hangzhou',
        KeyPairName: 'demo-key',
        InstanceIds: ids,
        DryRun: true,
        Mode: 'Detach',
        ForceReboot: false,
      },
      new Map(
        ids.map((id) => [
          id,
          { status: 'WouldDetach', code: 'DryRunOperation', message: '', retryable: false },
        ]),
      ),
      ['ecs-1'],
    );

    // Act
    const outcome = interpretReply({ status: 200, body: JSON.stringify(result) }, ids);

    // Assess
    expect(outcome).toEqual({ kind: 'result', result });
  });

  it('fails the whole chunk, retryable, when the function timed out', () => {
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
      retryable: true,
    });
  });

  it("fails the chunk with ECS's code, retryable, when the handler threw for a retryable cause", () => {
    // Prepare
    const throttled = new EcsCallError(
      'DetachKeyPair',
      'throttled',
      'Throttling.User',
      'slow down',
    );
    const reply = unhandledReply(retryableFailure(throttled, 'req-1'));

    // Act
    const outcome = interpretReply(reply, ids);

    // Assess
    expect(outcome).toMatchObject({ kind: 'failed', code: 'Throttling.User', retryable: true });
  });

  it('refuses the validation error object of an FC API invocation, naming each field', () => {
    // Prepare
    const invalid = validationErrorFor({ RegionId: 'Hangzhou', KeyPairName: 'demo-key' });
    const body = JSON.stringify(errorResult(invalid, 'req-1'));

    // Act
    const refusal = refusalOf(() => interpretReply({ status: 200, body }, ids));

    // Assess
    expect(refusal).toMatchObject({ code: 'InvalidParameter', status: undefined });
    expect(refusal.message).toBe(
      'The request has 2 invalid field(s). (/RegionId: must be a region id such as cn-hangzhou; /InstanceIds: is required)',
    );
  });

  it('refuses the policy error object of an FC API invocation with its pointer', () => {
    // Prepare
    const body = JSON.stringify(errorResult(policyDenied, 'req-1'));

    // Act
    const refusal = refusalOf(() => interpretReply({ status: 200, body }, ids));

    // Assess
    expect(refusal.code).toBe('PolicyDenied');
    expect(refusal.message).toContain(
      '(/KeyPairName: Key pair demo-key matches no pattern in ALLOWED_KEY_PAIR_NAMES (ops-*).)',
    );
  });

  it('refuses an FC API invocation whose credentials ECS denied', () => {
    // Prepare
    const denied = new EcsCallError('DetachKeyPair', 'forbidden', 'Forbidden.RAM', 'not allowed');
    const body = JSON.stringify(errorResult(denied, 'req-1'));

    // Act
    const refusal = refusalOf(() => interpretReply({ status: 200, body }, ids));

    // Assess
    expect(refusal).toMatchObject({ code: 'Forbidden.RAM', message: 'not allowed' });
  });

  it('fails the chunk, retryable, for an error object that says a retry may help', () => {
    // Prepare
    const unavailable = new EcsCallError('DetachKeyPair', 'server', 'ServiceUnavailable', '503');
    const body = JSON.stringify(errorResult(unavailable, 'req-1'));

    // Act
    const outcome = interpretReply({ status: 200, body }, ids);

    // Assess
    expect(outcome).toEqual({
      kind: 'failed',
      instanceIds: ids,
      code: 'ServiceUnavailable',
      message: 'ECS did not complete DetachKeyPair (ServiceUnavailable). Retry later.',
      retryable: true,
    });
  });

  it.each([
    [
      'a validation problem',
      validationErrorFor({ RegionId: 'cn-hangzhou', KeyPairName: 'demo-key', InstanceIds: 'x' }),
      400,
      'InvalidParameter',
      '/InstanceIds: entry 0: "x" is not an instance id such as i-bp1d6tsvznfghy7y1234',
    ],
    ['a policy denial', policyDenied, 403, 'PolicyDenied', '/KeyPairName: Key pair demo-key'],
    [
      'an unknown region',
      new EcsCallError('DescribeInstances', 'regionNotFound', 'InvalidRegionId.NotFound', 'no'),
      400,
      'InvalidRegionId.NotFound',
      '/RegionId: ECS does not know this region.',
    ],
  ])(
    'refuses the HTTP problem document for %s with its pointer',
    (_, error, status, code, problem) => {
      // Prepare
      const response = problemResponse(error, 'req-1');

      // Act
      const refusal = refusalOf(() =>
        interpretReply({ status: response.statusCode, body: response.body }, ids),
      );

      // Assess
      expect(refusal).toMatchObject({ status, code });
      expect(refusal.message).toContain(problem);
    },
  );

  it('fails the chunk, retryable, on an HTTP 5xx problem document', () => {
    // Prepare
    const response = problemResponse(
      new EcsCallError('DetachKeyPair', 'server', 'ServiceUnavailable', '503'),
      'req-1',
    );

    // Act
    const outcome = interpretReply({ status: response.statusCode, body: response.body }, ids);

    // Assess
    expect(outcome).toMatchObject({
      kind: 'failed',
      code: 'ServiceUnavailable',
      retryable: true,
    });
  });
});

describe('interpretFailure', () => {
  it('refuses a 403 from FC', () => {
    // Prepare
    const fail = (): unknown => interpretFailure(403, 'SignatureNotMatch', 'failed with 403.', ids);

    // Act
    const refusal = refusalOf(fail);

    // Assess
    expect(refusal).toMatchObject({ status: 403, code: 'SignatureNotMatch' });
  });

  it.each([[429], [500], [undefined]])('fails the chunk, retryable, for status %s', (status) => {
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
      retryable: true,
    });
  });
});
