/**
 * Turns what came back from one invocation into a chunk outcome, the same way for the FC API
 * and the HTTP trigger: a result, a whole-invocation failure (exit 1), or a refusal (exit 2).
 */
import { RefusedError } from './errors';
import { isDetachResult, type ChunkOutcome } from './result';

export interface RawReply {
  status: number;
  /** FC's X-Fc-Error-Type: the handler threw, timed out or crashed. */
  errorType?: string;
  body: string;
}

/**
 * Errors the function throws for a request it will never accept (functions/.../errors.ts);
 * over the FC API they arrive as an UnhandledInvocationError carrying this errorType.
 */
const REQUEST_ERROR_TYPES = new Set([
  'ValidationError',
  'PolicyDeniedError',
  'MalformedPayloadError',
  'UnsupportedEventError',
  'PayloadTooLargeError',
]);

const MAX_PROBLEMS_SHOWN = 5;

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

/** The readable part of a problem+json, FC API error or FC function-error body. */
export function describeBody(body: unknown): { code?: string; message: string } {
  if (typeof body !== 'object' || body === null) {
    return { message: text(body)?.slice(0, 500) ?? '(empty response)' };
  }
  const fields = body as Record<string, unknown>;
  const problems = Array.isArray(fields.problems)
    ? fields.problems
        .slice(0, MAX_PROBLEMS_SHOWN)
        .map((p: { pointer?: string; detail?: string }) =>
          `${p.pointer ?? ''} ${p.detail ?? ''}`.trim(),
        )
    : [];
  const message =
    text(fields.detail) ??
    text(fields.title) ??
    text(fields.Message) ??
    text(fields.ErrorMessage) ??
    text(fields.errorMessage) ??
    JSON.stringify(body).slice(0, 500);
  return {
    code:
      text(fields.code) ?? text(fields.Code) ?? text(fields.ErrorCode) ?? text(fields.errorType),
    message: problems.length > 0 ? `${message} (${problems.join('; ')})` : message,
  };
}

const isRefusal = (status: number): boolean => status >= 400 && status < 500 && status !== 429;

export function interpretReply(reply: RawReply, instanceIds: string[]): ChunkOutcome {
  const body = parse(reply.body);
  const { code, message } = describeBody(body);
  if (reply.errorType) {
    if (code && REQUEST_ERROR_TYPES.has(code)) throw new RefusedError(reply.status, code, message);
    return { kind: 'failed', instanceIds, code: reply.errorType, message };
  }
  if (isRefusal(reply.status))
    throw new RefusedError(reply.status, code ?? `HTTP${reply.status}`, message);
  if (isDetachResult(body)) return { kind: 'result', result: body };
  return {
    kind: 'failed',
    instanceIds,
    code: code ?? `HTTP${reply.status}`,
    message: `unexpected response (HTTP ${reply.status}): ${message}`,
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
    throw new RefusedError(status, code ?? `HTTP${status}`, message);
  }
  return { kind: 'failed', instanceIds, code: code ?? 'InvocationFailed', message };
}
