import {
  ConfigurationError,
  DeadlineExceededError,
  MalformedPayloadError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  PolicyDeniedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../functions/detach-key-pair/src/errors';
import { problemResponse } from '../../functions/detach-key-pair/src/present/http-reply';
import { ecsError } from '../helpers/fake-ecs';

describe('problemResponse', () => {
  it.each([
    [
      new ValidationError([{ pointer: '/RegionId', detail: 'is required' }]),
      400,
      'InvalidParameter',
    ],
    [new MalformedPayloadError('The body is not valid JSON.'), 400, 'MalformedPayload'],
    [ecsError('regionNotFound', 'InvalidRegionId.NotFound'), 400, 'InvalidRegionId.NotFound'],
    [
      new PolicyDeniedError([{ pointer: '/RegionId', detail: 'not in ALLOWED_REGIONS' }]),
      403,
      'PolicyDenied',
    ],
    [ecsError('forbidden', 'Forbidden.RAM', { statusCode: 403 }), 403, 'Forbidden.RAM'],
    [
      ecsError('keyPairNotFound', 'InvalidKeyPairName.NotFound'),
      404,
      'InvalidKeyPairName.NotFound',
    ],
    [new MethodNotAllowedError('PUT', ['GET', 'POST']), 405, 'MethodNotAllowed'],
    [new PayloadTooLargeError(65536), 413, 'PayloadTooLarge'],
    [new UnsupportedMediaTypeError('JSON only'), 415, 'UnsupportedMediaType'],
    [ecsError('throttled', 'Throttling.User', { retryAfterMs: 2500 }), 429, 'Throttling.User'],
    [ecsError('server', 'ServiceUnavailable', { statusCode: 503 }), 502, 'ServiceUnavailable'],
    [ecsError('network', 'NetworkError', { statusCode: undefined }), 502, 'NetworkError'],
    [ecsError('credentials', 'InvalidSecurityToken.Expired'), 502, 'InvalidSecurityToken.Expired'],
    [new DeadlineExceededError('late'), 504, 'DeadlineExceeded'],
    [new ConfigurationError('MAX_INSTANCES must be an integer'), 500, 'ConfigurationError'],
    [new TypeError('x is undefined at /var/fc/code/index.js:1:2'), 500, 'InternalError'],
  ])('maps %p to %p', (error, status, code) => {
    // Act
    const response = problemResponse(error, 'req-1');
    // Assess
    const body = JSON.parse(response.body);
    expect(response).toMatchObject({
      statusCode: status,
      isBase64Encoded: false,
      headers: { 'content-type': 'application/problem+json' },
    });
    expect(body).toMatchObject({
      status,
      code,
      requestId: 'req-1',
      instance: 'urn:fc:request:req-1',
    });
    expect(body.type).toMatch(/^urn:detach-key-pair:problem:/);
  });

  it('keeps internals out of every 5xx', () => {
    // Prepare
    const error = new TypeError('Cannot read properties of undefined at /var/fc/code/index.js:1:2');
    // Act
    const response = problemResponse(error, 'req-1');
    // Assess
    expect(response.body).not.toContain('/var/fc');
    expect(response.body).not.toContain('TypeError');
  });

  it('lists validation problems as errors[] of {pointer, detail}', () => {
    // Prepare
    const problems = [
      { pointer: '/RegionId', detail: 'is required' },
      { pointer: '/InstanceIds/0', detail: 'bad' },
    ];
    // Act
    const response = problemResponse(new ValidationError(problems), 'req-1');
    // Assess
    expect(JSON.parse(response.body).errors).toStrictEqual(problems);
  });

  it('names the allowed methods on 405 and a retry time on 429', () => {
    // Act
    const methodResponse = problemResponse(new MethodNotAllowedError('PUT', ['GET', 'POST']), 'r');
    const throttledResponse = problemResponse(
      ecsError('throttled', 'Throttling', { retryAfterMs: 2500 }),
      'r',
    );
    // Assess
    expect(methodResponse.headers.allow).toBe('GET, POST');
    expect(throttledResponse.headers['retry-after']).toBe('3');
  });
});
