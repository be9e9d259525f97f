/**
 * HTTP presentation: results as JSON, errors as RFC 9457 problem details. A 4xx shows the
 * error's own message; a 5xx shows a fixed text, never internals.
 */
import {
  ConfigurationError,
  DeadlineExceededError,
  DetachKeyPairError,
  EcsCallError,
  MalformedPayloadError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  PolicyDeniedError,
  UnsupportedEventError,
  UnsupportedMediaTypeError,
  ValidationError,
  type FieldProblem,
} from './errors';

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

interface ProblemKind {
  status: number;
  slug: string;
  title: string;
  /** For 5xx: the detail shown instead of the error's message. */
  fixedDetail?: string;
}

const PROBLEM_TYPE_BASE = 'urn:detach-key-pair:problem:';

const INTERNAL: ProblemKind = {
  status: 500,
  slug: 'internal-error',
  title: 'Internal error',
  fixedDetail: 'The function could not handle the request. Quote the requestId when reporting it.',
};

function ecsProblem(error: EcsCallError): ProblemKind {
  switch (error.kind) {
    case 'forbidden':
      return { status: 403, slug: 'ecs-access-denied', title: 'ECS denied the function access' };
    case 'keyPairNotFound':
      return { status: 404, slug: 'key-pair-not-found', title: 'Key pair not found' };
    case 'regionNotFound':
      return { status: 400, slug: 'region-not-found', title: 'Region not found' };
    case 'throttled':
      return { status: 429, slug: 'throttled', title: 'ECS throttled the requests' };
    case 'credentials':
      return {
        status: 502,
        slug: 'ecs-refused-credentials',
        title: "ECS refused the function's credentials",
        fixedDetail: `ECS refused the function's credentials (${error.code}). Check the function's role.`,
      };
    default:
      return {
        status: 502,
        slug: 'ecs-failure',
        title: 'ECS failed',
        fixedDetail: `ECS did not complete ${error.action} (${error.code}). Retry later.`,
      };
  }
}

export function problemKindFor(error: unknown): ProblemKind {
  if (error instanceof ValidationError) {
    return { status: 400, slug: 'validation-error', title: 'The request is not valid' };
  }
  if (error instanceof MalformedPayloadError || error instanceof UnsupportedEventError) {
    return { status: 400, slug: 'malformed-request', title: 'The request cannot be read' };
  }
  if (error instanceof PolicyDeniedError) {
    return { status: 403, slug: 'policy-denied', title: 'The request breaks the function policy' };
  }
  if (error instanceof MethodNotAllowedError) {
    return { status: 405, slug: 'method-not-allowed', title: 'Method not allowed' };
  }
  if (error instanceof PayloadTooLargeError) {
    return { status: 413, slug: 'payload-too-large', title: 'The body is too large' };
  }
  if (error instanceof UnsupportedMediaTypeError) {
    return { status: 415, slug: 'unsupported-media-type', title: 'The body must be JSON' };
  }
  if (error instanceof EcsCallError) return ecsProblem(error);
  if (error instanceof DeadlineExceededError) {
    return {
      status: 504,
      slug: 'deadline-exceeded',
      title: 'The deadline ran out',
      fixedDetail:
        'The function ran out of time before ECS finished; nothing was detached. Retry later.',
    };
  }
  if (error instanceof ConfigurationError) {
    return {
      status: 500,
      slug: 'configuration-error',
      title: 'The function is misconfigured',
      fixedDetail: 'The function is misconfigured; its operators can see why in its logs.',
    };
  }
  return INTERNAL;
}

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
  const detail = kind.fixedDetail ?? (error instanceof Error ? error.message : '');
  const document: ProblemDocument = {
    type: `${PROBLEM_TYPE_BASE}${kind.slug}`,
    title: kind.title,
    status: kind.status,
    detail,
    instance: `urn:fc:request:${requestId}`,
    requestId,
    code: problemCode(error, kind),
  };
  if (error instanceof ValidationError || error instanceof PolicyDeniedError) {
    document.errors = error.problems;
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
