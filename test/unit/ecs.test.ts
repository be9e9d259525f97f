import { resolveEndpoint } from '../../functions/detach-key-pair/src/ecs/endpoint';
import { AdaptiveLimiter } from '../../functions/detach-key-pair/src/ecs/limiter';
import {
  backoffDelayMs,
  callWithRetry,
  DEFAULT_RETRY_POLICY,
} from '../../functions/detach-key-pair/src/ecs/retry';
import { toEcsCallError } from '../../functions/detach-key-pair/src/ecs/sdk-adapter';
import { Deadline } from '../../functions/detach-key-pair/src/deadline';
import {
  ConfigurationError,
  DeadlineExceededError,
} from '../../functions/detach-key-pair/src/errors';
import { FakeClock } from '../helpers/clock';
import { ecsError } from '../helpers/fake-ecs';

describe('resolveEndpoint', () => {
  it.each([
    ['cn-hangzhou', undefined, { host: 'ecs-cn-hangzhou.aliyuncs.com', protocol: 'HTTPS' }],
    ['cn-shanghai', undefined, { host: 'ecs.cn-shanghai.aliyuncs.com', protocol: 'HTTPS' }],
    ['cn-wuhan', undefined, { host: 'ecs.aliyuncs.com', protocol: 'HTTPS' }],
    [
      'cn-shanghai',
      'ecs-vpc.cn-shanghai.aliyuncs.com:443',
      { host: 'ecs-vpc.cn-shanghai.aliyuncs.com:443', protocol: 'HTTPS' },
    ],
    ['cn-shanghai', 'http://127.0.0.1:8080', { host: '127.0.0.1:8080', protocol: 'HTTP' }],
    ['cn-shanghai', 'https://ecs.example.test', { host: 'ecs.example.test', protocol: 'HTTPS' }],
  ])('resolves %s with ECS_ENDPOINT %p', (regionId, override, expected) => {
    // Act
    const endpoint = resolveEndpoint(regionId, override);
    // Assess
    expect(endpoint).toStrictEqual(expected);
  });

  it('refuses an ECS_ENDPOINT with another scheme', () => {
    // Act
    const act = () => resolveEndpoint('cn-shanghai', 'ftp://127.0.0.1');
    // Assess
    expect(act).toThrow(ConfigurationError);
  });
});

describe('toEcsCallError', () => {
  it.each([
    [
      { name: 'ThrottlingError', code: 'Throttling.User', statusCode: 400, retryAfter: 1500 },
      'throttled',
      'Throttling.User',
      true,
    ],
    [{ name: 'ClientError', code: 'Throttling', statusCode: 400 }, 'throttled', 'Throttling', true],
    [
      { name: 'ServerError', code: 'ServiceUnavailable', statusCode: 503 },
      'server',
      'ServiceUnavailable',
      true,
    ],
    [
      { name: 'ClientError', code: 'Forbidden.RAM', statusCode: 403 },
      'forbidden',
      'Forbidden.RAM',
      false,
    ],
    [
      { name: 'ClientError', code: 'InvalidSecurityToken.Expired', statusCode: 400 },
      'credentials',
      'InvalidSecurityToken.Expired',
      false,
    ],
    [
      { name: 'ClientError', code: 'InvalidKeyPairName.NotFound', statusCode: 404 },
      'keyPairNotFound',
      'InvalidKeyPairName.NotFound',
      false,
    ],
    [
      { name: 'ClientError', code: 'DependencyViolation.WindowsInstance', statusCode: 403 },
      'client',
      'DependencyViolation.WindowsInstance',
      false,
    ],
    [
      { name: 'RequestTimeoutError', message: 'ReadTimeout: 10000. POST / failed.' },
      'timeout',
      'RequestTimeout',
      true,
    ],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      'network',
      'NetworkError',
      true,
    ],
  ])('classifies %p', (error, kind, code, retryable) => {
    // Act
    const mapped = toEcsCallError('DetachKeyPair', error);
    // Assess
    expect(mapped).toMatchObject({ kind, code, retryable });
    expect(mapped.message).not.toContain('127.0.0.1');
  });

  it('keeps x-acs-retry-after from a ThrottlingError', () => {
    // Act
    const mapped = toEcsCallError('DetachKeyPair', {
      name: 'ThrottlingError',
      code: 'Throttling',
      statusCode: 400,
      retryAfter: 1500,
    });
    // Assess
    expect(mapped.details.retryAfterMs).toBe(1500);
  });
});

describe('callWithRetry', () => {
  it('uses exponential backoff with full jitter, capped', () => {
    // Act
    const delays = [1, 2, 3, 10].map((attempt) =>
      backoffDelayMs(attempt, undefined, DEFAULT_RETRY_POLICY, () => 0.999),
    );
    // Assess
    expect(delays.map(Math.round)).toStrictEqual([200, 400, 799, 4995]);
  });

  it('honours retry-after over the backoff', () => {
    // Act
    const delay = backoffDelayMs(1, 3000, DEFAULT_RETRY_POLICY, () => 0);
    // Assess
    expect(delay).toBe(3000);
  });

  it('does not retry what cannot succeed', async () => {
    // Prepare
    const clock = new FakeClock();
    let calls = 0;
    // Act
    const act = callWithRetry(
      'DetachKeyPair',
      async () => {
        calls += 1;
        throw ecsError('forbidden', 'Forbidden.RAM', { statusCode: 403 });
      },
      { deadline: new Deadline(clock.now() + 60_000, clock), clock, policy: DEFAULT_RETRY_POLICY },
    );
    // Assess
    await expect(act).rejects.toMatchObject({ code: 'Forbidden.RAM' });
    expect(calls).toBe(1);
  });

  it('never sleeps past the deadline', async () => {
    // Prepare
    const clock = new FakeClock();
    const deadline = new Deadline(clock.now() + 2000, clock);
    // Act
    const act = callWithRetry(
      'DetachKeyPair',
      async () => {
        throw ecsError('throttled', 'Throttling', { retryAfterMs: 5000 });
      },
      { deadline, clock, policy: DEFAULT_RETRY_POLICY },
    );
    // Assess
    await expect(act).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(clock.sleeps).toStrictEqual([]);
  });
});

describe('AdaptiveLimiter', () => {
  it('keeps at most the limit in flight, halves on throttling and climbs back', async () => {
    // Prepare
    const limiter = new AdaptiveLimiter(4);
    let inFlight = 0;
    let peak = 0;
    const task = async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
    };
    // Act
    await Promise.all(Array.from({ length: 20 }, () => limiter.run(task)));
    limiter.onThrottled();
    const afterThrottle = limiter.limit;
    for (let i = 0; i < 10; i += 1) limiter.onSucceeded();
    // Assess
    expect(peak).toBe(4);
    expect(afterThrottle).toBe(2);
    expect(limiter.limit).toBe(4);
  });
});
