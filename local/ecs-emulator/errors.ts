/**
 * ECS API errors as the real service words them: an HTTP status, a Code and a Message, answered
 * in the body `{RequestId, HostId, Code, Message}`: as JSON, or (the xmlErrorRate fault) as an
 * XML `<Error>` document, which the SDK parses too.
 */
export class EcsApiError extends Error {
  public readonly headers: Record<string, string>;
  public readonly format: 'json' | 'xml';

  public constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    options: { headers?: Record<string, string>; format?: 'json' | 'xml' } = {},
  ) {
    super(message);
    this.name = 'EcsApiError';
    this.headers = options.headers ?? {};
    this.format = options.format ?? 'json';
  }
}

export function missingParameter(name: string): EcsApiError {
  return new EcsApiError(
    400,
    'MissingParameter',
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );
}

export function invalidParameter(name: string): EcsApiError {
  return new EcsApiError(
    400,
    'InvalidParameter',
    `The specified parameter "${name}" is not valid.`,
  );
}

export function regionNotFound(): EcsApiError {
  return new EcsApiError(404, 'InvalidRegionId.NotFound', 'The specified RegionId does not exist.');
}

export function instanceNotFound(): EcsApiError {
  return new EcsApiError(
    404,
    'InvalidInstanceId.NotFound',
    'The specified InstanceId does not exist.',
  );
}
