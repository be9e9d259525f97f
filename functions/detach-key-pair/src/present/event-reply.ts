/**
 * Presentation for event callers (CloudEvents, timers, direct invocation): the result object, or
 * an error object when retrying cannot help. Where it can, the handler throws instead, so FC's
 * asynchronous retry policy applies.
 */
import { DetachKeyPairError, PolicyDeniedError, ValidationError } from '../errors';
import { safeDetail } from './problem-kinds';

export interface ErrorResult {
  RequestId: string;
  Code: string;
  Message: string;
  Retryable: boolean;
  Errors?: Array<{ Pointer: string; Detail: string }>;
}

export function errorResult(error: unknown, requestId: string): ErrorResult {
  const answer: ErrorResult = {
    RequestId: requestId,
    Code: error instanceof DetachKeyPairError ? error.code : 'InternalError',
    Message: safeDetail(error),
    Retryable: error instanceof DetachKeyPairError && error.retryable,
  };
  if (error instanceof ValidationError || error instanceof PolicyDeniedError) {
    answer.Errors = error.problems.map(({ pointer, detail }) => ({
      Pointer: pointer,
      Detail: detail,
    }));
  }
  return answer;
}

/**
 * What the handler throws for FC's retry: the code and a safe message only. FC returns a thrown
 * error's stack to synchronous callers, so the stack is reduced to the message.
 */
export function retryableFailure(error: DetachKeyPairError, requestId: string): Error {
  const failure = new Error(`${safeDetail(error)} (requestId ${requestId})`);
  failure.name = error.code;
  failure.stack = `${failure.name}: ${failure.message}`;
  return failure;
}
