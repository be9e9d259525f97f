/**
 * ECS API errors as the real service words them: an HTTP status, a Code and a Message, answered
 * in the body `{RequestId, HostId, Code, Message}`: as JSON, or as the XML `<Error>` document a
 * gateway in front of ECS may answer with (the SDK parses both).
 */
export class EcsApiError extends Error {
  public constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly headers: Record<string, string> = {},
    public readonly format: 'json' | 'xml' = 'json',
  ) {
    super(message);
    this.name = 'EcsApiError';
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
