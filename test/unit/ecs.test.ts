import { resolveEndpoint } from '../../functions/detach-key-pair/src/ecs/endpoint';
import { ConcurrencyLimiter } from '../../functions/detach-key-pair/src/job/limiter';
import { ActionPacer } from '../../functions/detach-key-pair/src/job/pacer';
import {
  backoffDelayMs,
  callWithRetry,
  DEFAULT_RETRY_POLICY,
} from '../../functions/detach-key-pair/src/job/retry';
import { toEcsCallError, withinTime } from '../../functions/detach-key-pair/src/ecs/sdk-adapter';
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

describe('withinTime', () => {
  it('answers a call that outlasts its time as a timeout, whatever the transport does', async () => {
    // Prepare
    const never = new Promise<never>(() => undefined);
    // Act
    const error = await withinTime(never, 20).catch((caught: unknown) => caught);
    // Assess
    expect(toEcsCallError('DetachKeyPair', error)).toMatchObject({
      kind: 'timeout',
      code: 'RequestTimeout',
      retryable: true,
    });
  });

  it("passes a call's answer or failure through when it comes in time", async () => {
    // Act
    const answer = await withinTime(Promise.resolve('answer'), 1000);
    const failure = await withinTime(Promise.reject(new Error('refused')), 1000).catch(
      (caught: unknown) => caught,
    );
    // Assess
    expect(answer).toBe('answer');
    expect(failure).toMatchObject({ message: 'refused' });
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
      backoffDelayMs(attempt, DEFAULT_RETRY_POLICY, () => 0.999),
    );
    // Assess
    expect(delays.map(Math.round)).toStrictEqual([200, 400, 799, 4995]);
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
      {
        deadline: new Deadline(clock.now() + 60_000, clock),
        clock,
        policy: DEFAULT_RETRY_POLICY,
        pacer: new ActionPacer(clock),
      },
    );
    // Assess
    await expect(act).rejects.toMatchObject({ code: 'Forbidden.RAM' });
    expect(calls).toBe(1);
  });

  it('retries a throttled call when the pacer says, after retry-after', async () => {
    // Prepare
    const clock = new FakeClock();
    const deadline = new Deadline(clock.now() + 60_000, clock);
    let calls = 0;
    // Act
    const value = await callWithRetry(
      'DetachKeyPair',
      async () => {
        calls += 1;
        if (calls === 1) throw ecsError('throttled', 'Throttling.User', { retryAfterMs: 1000 });
        return 'done';
      },
      { deadline, clock, policy: DEFAULT_RETRY_POLICY, pacer: new ActionPacer(clock) },
    );
    // Assess
    expect(value).toBe('done');
    expect(clock.sleeps).toStrictEqual([1000]);
  });

  it('does not count a throttle the pacer could not have spared against the attempts', async () => {
    // Prepare: two calls sent before ECS's first throttle came back; both get throttled.
    const clock = new FakeClock();
    const deadline = new Deadline(clock.now() + 60_000, clock);
    const pacer = new ActionPacer(clock);
    const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 };
    let sent = 0;
    let releaseFirstAnswers: () => void = () => undefined;
    const firstAnswers = new Promise<void>((resolve) => (releaseFirstAnswers = resolve));
    const call = async () => {
      sent += 1;
      if (sent > 2) return 'done';
      if (sent === 2) releaseFirstAnswers();
      await firstAnswers;
      throw ecsError('throttled', 'Throttling.User', { retryAfterMs: 50 });
    };
    // Act
    const [first, second] = await Promise.allSettled([
      callWithRetry('DetachKeyPair', call, { deadline, clock, policy, pacer }),
      callWithRetry('DetachKeyPair', call, { deadline, clock, policy, pacer }),
    ]);
    // Assess: the first throttle was news and used up the one attempt; the second was not.
    expect(first).toMatchObject({ status: 'rejected', reason: { code: 'Throttling.User' } });
    expect(second).toStrictEqual({ status: 'fulfilled', value: 'done' });
    expect(sent).toBe(3);
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
      { deadline, clock, policy: DEFAULT_RETRY_POLICY, pacer: new ActionPacer(clock) },
    );
    // Assess
    await expect(act).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(clock.sleeps).toStrictEqual([]);
  });
});

describe('ConcurrencyLimiter', () => {
  it('keeps at most the limit in flight and runs every task', async () => {
    // Prepare
    const limiter = new ConcurrencyLimiter(4);
    let inFlight = 0;
    let peak = 0;
    let done = 0;
    const task = async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      done += 1;
    };
    // Act
    await Promise.all(Array.from({ length: 20 }, () => limiter.run(task)));
    // Assess
    expect(peak).toBe(4);
    expect(done).toBe(20);
  });
});
