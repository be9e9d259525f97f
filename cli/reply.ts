/**
 * Turns what came back from one invocation into a chunk outcome, the same way for the FC API
 * and the HTTP trigger: a result, a whole-invocation failure (exit 1), or a refusal (exit 2).
 *
 * The function's answers (functions/detach-key-pair/src/events.ts and http.ts): over the HTTP
 * trigger a result, or problem+json whose status says whether it was refused; over the FC API a
 * result, or its error object in a 200 whose `Retryable` says so. For a retryable cause the
 * handler throws instead, which FC answers with X-Fc-Error-Type and `{errorMessage, errorType}`.
 */
import type { ErrorResult } from '../functions/detach-key-pair/src/present/event-reply';
import { RefusedError } from './errors';
import { isDetachResult, type ChunkOutcome } from './result';

export interface RawReply {
  status: number;
  /** FC's X-Fc-Error-Type: the handler threw, timed out or crashed. */
  errorType?: string;
  body: string;
}

const MAX_PROBLEMS_SHOWN = 5;

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

/** `pointer: detail` for each field problem: problem+json `errors`, the error object's `Errors`. */
function fieldProblems(fields: Record<string, unknown>): string[] {
  const list = Array.isArray(fields.errors) ? fields.errors : fields.Errors;
  const problems: unknown[] = Array.isArray(list) ? list : [];
  return problems.filter(isRecord).map((problem) => {
    const pointer = text(problem.pointer) ?? text(problem.Pointer);
    const detail = text(problem.detail) ?? text(problem.Detail) ?? '';
    // The root pointer is "", the whole request: the detail says enough on its own.
    return pointer === undefined ? detail : `${pointer}: ${detail}`;
  });
}

/** The readable part of a problem+json, the function's error object, or an FC error body. */
function describeBody(body: unknown): { code?: string; message: string } {
  if (!isRecord(body)) {
    return { message: text(body)?.slice(0, 500) ?? '(empty response)' };
  }
  const problems = fieldProblems(body);
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN);
  if (problems.length > shown.length) shown.push(`${problems.length - shown.length} more`);
  const message =
    text(body.detail) ??
    text(body.title) ??
    text(body.Message) ??
    text(body.ErrorMessage) ??
    text(body.errorMessage) ??
    JSON.stringify(body).slice(0, 500);
  return {
    code: text(body.code) ?? text(body.Code) ?? text(body.ErrorCode) ?? text(body.errorType),
    message: shown.length > 0 ? `${message} (${shown.join('; ')})` : message,
  };
}

/** The function's answer to an event caller that it refused or could not serve (errorResult). */
function isErrorResult(value: unknown): value is ErrorResult {
  return (
    isRecord(value) &&
    typeof value.Code === 'string' &&
    typeof value.Message === 'string' &&
    typeof value.Retryable === 'boolean'
  );
}

const isRefusal = (status: number): boolean => status >= 400 && status < 500 && status !== 429;

export function interpretReply(reply: RawReply, instanceIds: string[]): ChunkOutcome {
  const body = parse(reply.body);
  const { code, message } = describeBody(body);
  if (reply.errorType) {
    // The handler throws only for a retryable cause (errorType is then ECS's code); a timeout or
    // crash carries no errorType. Either way sending the ids again may work.
    return { kind: 'failed', instanceIds, code: code ?? reply.errorType, message, retryable: true };
  }
  if (isRefusal(reply.status))
    throw new RefusedError(code ?? `HTTP${reply.status}`, message, reply.status);
  if (isDetachResult(body)) return { kind: 'result', result: body };
  if (isErrorResult(body)) {
    if (!body.Retryable) throw new RefusedError(body.Code, message);
    return { kind: 'failed', instanceIds, code: body.Code, message, retryable: true };
  }
  return {
    kind: 'failed',
    instanceIds,
    code: code ?? `HTTP${reply.status}`,
    message: `unexpected response (HTTP ${reply.status}): ${message}`,
    retryable: true,
  };
}

/** A transport failure or a non-2xx the client threw for. */
export function interpretFailure(
  status: number | undefined,
  code: string | undefined,
  message: string,
  instanceIds: string[],
): ChunkOutcome {
  if (status !== undefined && isRefusal(status)) {
    throw new RefusedError(code ?? `HTTP${status}`, message, status);
  }
  return {
    kind: 'failed',
    instanceIds,
    code: code ?? 'InvocationFailed',
    message,
    retryable: true,
  };
}
