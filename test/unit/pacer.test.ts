import {
  ActionPacer,
  PACING,
  type PacerTicket,
} from '../../functions/detach-key-pair/src/job/pacer';
import { FakeClock } from '../helpers/clock';

const NO_DEADLINE = Number.POSITIVE_INFINITY;

async function startCalls(pacer: ActionPacer, count: number): Promise<PacerTicket[]> {
  const tickets = await Promise.all(Array.from({ length: count }, () => pacer.turn(NO_DEADLINE)));
  return tickets.map((ticket) => {
    if (!ticket) throw new Error('no turn given');
    return ticket;
  });
}

/** Longer than one interval of the learnt pace, so the pause alone decides the next start. */
const RETRY_AFTER_MS = 100;

/**
 * 20 calls accepted at once, then one more 100 ms later that ECS throttles, as a token bucket
 * holding a second of 20 QPS would.
 */
async function throttledAfterBurst(clock: FakeClock, pacer: ActionPacer) {
  const burst = await startCalls(pacer, 20);
  clock.advance(100);
  const [throttled] = await startCalls(pacer, 1);
  const news = pacer.throttled(throttled, RETRY_AFTER_MS);
  return { burst, news, throttledAt: clock.now() };
}

/** What ECS accepted: 20 calls over the 100 ms elapsed plus the one second of burst assumed. */
const LEARNT_QPS = PACING.cutShare * ((20 * 1000) / (PACING.windowMs + 100));

describe('ActionPacer', () => {
  it('starts every call at once until ECS first throttles', async () => {
    // Prepare
    const clock = new FakeClock();
    const pacer = new ActionPacer(clock);
    // Act
    const tickets = await startCalls(pacer, 50);
    // Assess
    expect(new Set(tickets.map((ticket) => ticket.startedAt))).toStrictEqual(
      new Set([clock.now()]),
    );
    expect(clock.sleeps).toStrictEqual([]);
    expect(pacer.qps()).toBeUndefined();
  });

  it('pauses every caller until retry-after, then paces at a share of what ECS accepted', async () => {
    // Prepare
    const clock = new FakeClock();
    const pacer = new ActionPacer(clock);
    const { news, throttledAt } = await throttledAfterBurst(clock, pacer);
    // Act
    const paced = await startCalls(pacer, 3);
    // Assess
    expect(news).toBe(true);
    const starts = paced.map((ticket) => ticket.startedAt - throttledAt);
    expect(starts[0]).toBe(RETRY_AFTER_MS);
    expect(starts[1] - starts[0]).toBeCloseTo(1000 / LEARNT_QPS, 0);
    expect(starts[2] - starts[1]).toBeCloseTo(1000 / LEARNT_QPS, 0);
  });

  it('cuts once per episode: a throttle of a call sent before the pacer slowed down is no news', async () => {
    // Prepare
    const clock = new FakeClock();
    const pacer = new ActionPacer(clock);
    const { burst, throttledAt } = await throttledAfterBurst(clock, pacer);
    // Act
    const news = pacer.throttled(burst[19], 2 * RETRY_AFTER_MS);
    const [next] = await startCalls(pacer, 1);
    // Assess: the pace stands; the later retry-after still holds every caller.
    expect(news).toBe(false);
    expect(pacer.qps()).toBeCloseTo(LEARNT_QPS, 6);
    expect(next.startedAt - throttledAt).toBe(2 * RETRY_AFTER_MS);
  });

  it('cuts below its own pace when ECS throttles a call it paced', async () => {
    // Prepare
    const clock = new FakeClock();
    const pacer = new ActionPacer(clock);
    await throttledAfterBurst(clock, pacer);
    clock.advance(PACING.windowMs);
    const [paced] = await startCalls(pacer, 1);
    const pace = pacer.qps() ?? 0;
    // Act
    const news = pacer.throttled(paced, 10);
    // Assess
    expect(news).toBe(true);
    expect(pacer.qps()).toBeLessThanOrEqual(PACING.cutShare * pace);
  });

  it('cuts once per window: throttles right after a cut are the same spell', async () => {
    // Prepare
    const clock = new FakeClock();
    const pacer = new ActionPacer(clock);
    await throttledAfterBurst(clock, pacer);
    const [paced] = await startCalls(pacer, 1);
    const pace = pacer.qps();
    // Act
    const news = pacer.throttled(paced, 10);
    // Assess
    expect(news).toBe(false);
    expect(pacer.qps()).toBe(pace);
  });

  it('never cuts below half the rate it first learnt, however often ECS throttles', async () => {
    // Prepare
    const clock = new FakeClock();
    const pacer = new ActionPacer(clock);
    await throttledAfterBurst(clock, pacer);
    // Act: a throttle of every paced call, a window apart, as random throttling would give.
    for (let spell = 0; spell < 20; spell += 1) {
      clock.advance(PACING.windowMs);
      const [paced] = await startCalls(pacer, 1);
      pacer.throttled(paced, 10);
    }
    // Assess
    expect(pacer.qps()).toBeGreaterThanOrEqual(PACING.floorShareOfFirstLearnt * LEARNT_QPS);
  });

  it('probes upward once the pause is over', async () => {
    // Prepare
    const clock = new FakeClock();
    const pacer = new ActionPacer(clock);
    const { throttledAt } = await throttledAfterBurst(clock, pacer);
    // Act
    const tenSecondsOn = pacer.qps(throttledAt + RETRY_AFTER_MS + 10_000);
    // Assess
    const stepQps = Math.max(PACING.probeSharePerSecond * LEARNT_QPS, PACING.minProbeQpsPerSecond);
    expect(pacer.qps(throttledAt + RETRY_AFTER_MS)).toBeCloseTo(LEARNT_QPS, 6);
    expect(tenSecondsOn).toBeCloseTo(LEARNT_QPS + 10 * stepQps, 6);
  });

  it('only pauses for a throttle that came before enough calls to tell a rate', async () => {
    // Prepare
    const clock = new FakeClock();
    const pacer = new ActionPacer(clock);
    const [only] = await startCalls(pacer, 1);
    // Act
    pacer.throttled(only, undefined);
    const [retry, next] = await startCalls(pacer, 2);
    // Assess: without retry-after, the pause is one interval of the slowest pace; then unpaced.
    expect(pacer.qps()).toBeUndefined();
    expect(retry.startedAt - only.startedAt).toBe(1000 / PACING.minQps);
    expect(next.startedAt).toBe(retry.startedAt);
  });

  it('tells a caller at once when its turn would come past its deadline', async () => {
    // Prepare
    const clock = new FakeClock();
    const pacer = new ActionPacer(clock);
    const [first] = await startCalls(pacer, 1);
    pacer.throttled(first, 5000);
    // Act
    const ticket = await pacer.turn(clock.now() + 1000);
    // Assess
    expect(ticket).toBeUndefined();
    expect(clock.sleeps).toStrictEqual([]);
  });
});
