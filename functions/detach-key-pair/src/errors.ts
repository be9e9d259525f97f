/**
 * The function's own errors. Each carries the data a presenter needs (an HTTP status is chosen
 * in present/problem-kinds.ts, not here) and passes `cause` through so logs keep the chain. A
 * message is safe to show a client only for 4xx classes; 5xx presenters use a fixed text instead.
 */

/** One validation or policy problem, located with a JSON Pointer (RFC 6901) into the request. */
export interface FieldProblem {
  pointer: string;
  detail: string;
}

export abstract class DetachKeyPairError extends Error {
  /** A stable, ECS-style code clients can branch on. */
  abstract readonly code: string;
  /** Whether asking again later, unchanged, can succeed. */
  readonly retryable: boolean = false;

  /**
   * Each class spells out its own name: the bundle is minified without esbuild's keepNames, whose
   * helper would run at every closure a warm invocation creates, so class names are not kept.
   */
  abstract override readonly name: string;
}

/** The event is none of the shapes this function accepts. */
export class UnsupportedEventError extends DetachKeyPairError {
  override readonly name = 'UnsupportedEventError';
  readonly code = 'UnsupportedEvent';
}

/** A body, timer payload or event data that is not valid JSON (or not valid base64). */
export class MalformedPayloadError extends DetachKeyPairError {
  override readonly name = 'MalformedPayloadError';
  readonly code = 'MalformedPayload';
}

export class ValidationError extends DetachKeyPairError {
  override readonly name = 'ValidationError';
  readonly code = 'InvalidParameter';
  constructor(readonly problems: FieldProblem[]) {
    super(`The request has ${problems.length} invalid field(s).`);
  }
}

export class PolicyDeniedError extends DetachKeyPairError {
  override readonly name = 'PolicyDeniedError';
  readonly code = 'PolicyDenied';
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((problem) => problem.detail).join(' '));
  }
}

export class MethodNotAllowedError extends DetachKeyPairError {
  override readonly name = 'MethodNotAllowedError';
  readonly code = 'MethodNotAllowed';
  constructor(
    readonly method: string,
    readonly allowed: readonly string[],
  ) {
    super(`Method ${method} is not allowed; use ${allowed.join(' or ')}.`);
  }
}

export class UnsupportedMediaTypeError extends DetachKeyPairError {
  override readonly name = 'UnsupportedMediaTypeError';
  readonly code = 'UnsupportedMediaType';
}

export class PayloadTooLargeError extends DetachKeyPairError {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'PayloadTooLarge';
  constructor(readonly limitBytes: number) {
    super(`The request body is larger than ${limitBytes} bytes.`);
  }
}

/** How many instances one region contributed to a selection, and a few of them. */
export interface RegionSelection {
  regionId: string;
  count: number;
  sampleIds: string[];
}

/** The instances selected are not as many as the caller said (ExpectedCount): nothing changed. */
export class SelectionMismatchError extends DetachKeyPairError {
  override readonly name = 'SelectionMismatchError';
  readonly code = 'SelectionMismatch';
  constructor(
    readonly expected: number,
    readonly found: number,
    readonly byRegion: RegionSelection[],
  ) {
    const where = byRegion
      .map(({ regionId, count, sampleIds }) =>
        sampleIds.length > 0
          ? `${regionId}: ${count}, e.g. ${sampleIds.join(', ')}`
          : `${regionId}: 0`,
      )
      .join('; ');
    super(
      `ExpectedCount is ${expected}, but ${found} instance(s) were selected (${where}). Nothing was changed.`,
    );
  }
}

/** `RegionId: "*"` and the key pair exists in none of the regions searched. */
export class KeyPairNowhereError extends DetachKeyPairError {
  override readonly name = 'KeyPairNowhereError';
  readonly code = 'InvalidKeyPairName.NotFound';
  constructor(
    readonly keyPairName: string,
    readonly regionCount: number,
  ) {
    super(`The key pair ${keyPairName} exists in none of the ${regionCount} region(s) searched.`);
  }
}

/** An environment variable holds a value the function cannot use. Never the caller's fault. */
export class ConfigurationError extends DetachKeyPairError {
  override readonly name = 'ConfigurationError';
  readonly code = 'ConfigurationError';
}

/** How an ECS call failed, as far as retrying and reporting care. */
export type EcsFailureKind =
  | 'throttled'
  | 'server'
  | 'network'
  | 'timeout'
  | 'forbidden'
  /** ECS refused the function's credentials (expired token, unknown or disabled key). */
  | 'credentials'
  | 'keyPairNotFound'
  | 'regionNotFound'
  | 'client';

const RETRYABLE_KINDS: ReadonlySet<EcsFailureKind> = new Set([
  'throttled',
  'server',
  'network',
  'timeout',
]);

/** An ECS call that failed as a whole. `code` is ECS's own code where ECS sent one. */
export class EcsCallError extends DetachKeyPairError {
  override readonly name = 'EcsCallError';
  readonly retryable: boolean;

  constructor(
    readonly action: string,
    readonly kind: EcsFailureKind,
    readonly code: string,
    message: string,
    readonly details: {
      statusCode?: number;
      requestId?: string;
      retryAfterMs?: number;
    } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.retryable = RETRYABLE_KINDS.has(kind);
  }
}

/** The function's own deadline left no time to make or finish a call. */
export class DeadlineExceededError extends DetachKeyPairError {
  override readonly name = 'DeadlineExceededError';
  readonly code = 'DeadlineExceeded';
  readonly retryable = true;
}
