/**
 * Which problem each error is: its HTTP status, a stable slug and title, and for 5xx the fixed
 * text shown instead of the error's own message. Both presenters read it.
 */
import {
  ConfigurationError,
  DeadlineExceededError,
  EcsCallError,
  KeyPairNowhereError,
  MalformedPayloadError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  PolicyDeniedError,
  SelectionMismatchError,
  UnsupportedEventError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors';

export interface ProblemKind {
  status: number;
  slug: string;
  title: string;
  /** For 5xx: the detail shown instead of the error's message. */
  fixedDetail?: string;
}

export const INTERNAL: ProblemKind = {
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
  if (error instanceof SelectionMismatchError) {
    return {
      status: 409,
      slug: 'selection-mismatch',
      title: 'The selection is not what ExpectedCount says',
    };
  }
  if (error instanceof KeyPairNowhereError) {
    return { status: 404, slug: 'key-pair-not-found', title: 'Key pair not found' };
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

/** What a client may read of an error: a 4xx's own message, a 5xx's fixed text. */
export function safeDetail(error: unknown): string {
  return problemKindFor(error).fixedDetail ?? (error instanceof Error ? error.message : '');
}
