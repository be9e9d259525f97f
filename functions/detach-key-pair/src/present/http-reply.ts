/**
 * HTTP presentation: results as JSON, errors as RFC 9457 problem details. A 4xx shows the
 * error's own message; a 5xx shows a fixed text, never internals.
 */
import {
  DetachKeyPairError,
  EcsCallError,
  MethodNotAllowedError,
  PolicyDeniedError,
  SelectionMismatchError,
  ValidationError,
  type FieldProblem,
} from '../errors';
import { INTERNAL, problemKindFor, safeDetail, type ProblemKind } from './problem-kinds';

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  isBase64Encoded: boolean;
  body: string;
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  code: string;
  errors?: FieldProblem[];
}

const PROBLEM_TYPE_BASE = 'urn:detach-key-pair:problem:';

const COMMON_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

export function jsonResponse(statusCode: number, body: unknown): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...COMMON_HEADERS },
    isBase64Encoded: false,
    body: JSON.stringify(body),
  };
}

function problemCode(error: unknown, kind: ProblemKind): string {
  return error instanceof DetachKeyPairError && kind !== INTERNAL ? error.code : 'InternalError';
}

export function problemResponse(error: unknown, requestId: string): HttpResponse {
  const kind = problemKindFor(error);
  const document: ProblemDocument = {
    type: `${PROBLEM_TYPE_BASE}${kind.slug}`,
    title: kind.title,
    status: kind.status,
    detail: safeDetail(error),
    instance: `urn:fc:request:${requestId}`,
    requestId,
    code: problemCode(error, kind),
  };
  if (error instanceof ValidationError || error instanceof PolicyDeniedError) {
    document.errors = error.problems;
  }
  if (error instanceof SelectionMismatchError) {
    document.errors = [{ pointer: '/ExpectedCount', detail: error.message }];
  }
  if (error instanceof EcsCallError && error.kind === 'regionNotFound') {
    document.errors = [{ pointer: '/RegionId', detail: 'ECS does not know this region.' }];
  }
  const headers: Record<string, string> = {
    'content-type': 'application/problem+json',
    ...COMMON_HEADERS,
  };
  if (error instanceof MethodNotAllowedError) headers.allow = error.allowed.join(', ');
  if (error instanceof EcsCallError && error.kind === 'throttled') {
    headers['retry-after'] = String(
      Math.max(1, Math.ceil((error.details.retryAfterMs ?? 0) / 1000)),
    );
  }
  return {
    statusCode: kind.status,
    headers,
    isBase64Encoded: false,
    body: JSON.stringify(document),
  };
}
