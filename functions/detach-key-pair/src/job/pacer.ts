import type { Clock } from '../deadline';

/**
 * How the pacer learns. ECS limits each API to some number of calls a second, per account, and
 * does not say how many: the pacer starts unpaced and learns the rate from ECS's throttling.
 */
export const PACING = {
  /**
   * ECS's limits are per second, so what it accepted in the last second is the rate it allows.
   * In an action's first second, that includes the burst ECS let through at the start: its bucket
   * starts full, assumed (as the emulator's) to hold one second of calls.
   */
  windowMs: 1000,
  /**
   * The share of that rate to pace at after a throttle. Below 1 so that the bucket, empty when
   * ECS throttled, refills a little with every call: late and early arrivals then do not tip it.
   */
  cutShare: 0.85,
  /**
   * Then the pace grows each second by this share of the learnt rate, to find a raised limit
   * without meeting the old one again for some ten seconds...
   */
  probeSharePerSecond: 0.025,
  /** ...or by this much, if more, so that a rate learnt from a quiet second recovers. */
  minProbeQpsPerSecond: 0.25,
  /** Never slower than this: a throttle after a quiet second must not stall the action. */
  minQps: 1,
  /**
   * Nor slower than this share of the rate first learnt. That first throttle shows the limit;
   * later ones may be other callers draining the same account's bucket, or no limit at all, and
   * cutting at each of them would collapse the pace to a crawl.
   */
  floorShareOfFirstLearnt: 0.5,
  /**
   * The fewest calls accepted in the window that say something about a rate. A throttle after
   * fewer (an unlucky early one) only pauses: learning from it would pace at a crawl.
   */
  minAcceptedToLearn: 10,
};

/** One attempt's start, to be handed back if ECS throttles it. */
export interface PacerTicket {
  readonly startedAt: number;
  /** Which pace the attempt started under: a throttle of an older one is no news. */
  readonly episode: number;
}

interface Waiter {
  notAfter: number;
  resolve: (ticket: PacerTicket | undefined) => void;
}

/**
 * Paces the starts of one ECS action's calls, retries included, for all of its callers at once.
 * Unpaced until ECS first throttles: then the whole action waits out `x-acs-retry-after` and
 * resumes at a share of what ECS accepted in the last second, probing slowly upward. The calls
 * already sent when a throttle arrives may be throttled too; they belong to the same episode and
 * do not cut the pace again.
 */
export class ActionPacer {
  private episode = 0;
  /** Absent until the first throttle. */
  private pace: { qps: number; since: number } | undefined;
  private floorQps: number = PACING.minQps;
  private lastCutAt = Number.NEGATIVE_INFINITY;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  private firstStartAt = Number.NEGATIVE_INFINITY;
  private lastStartAt = Number.NEGATIVE_INFINITY;
  /** Starts in the window that ECS has not throttled (yet), oldest first. */
  private readonly acceptedStarts: number[] = [];
  private readonly waiting: Waiter[] = [];
  private pumping = false;

  constructor(private readonly clock: Clock) {}

  /** The current pace in calls a second; undefined while unpaced. */
  qps(now = this.clock.now()): number | undefined {
    if (!this.pace) return undefined;
    const probingSeconds = Math.max(0, now - this.pace.since) / 1000;
    const stepQps = Math.max(
      PACING.probeSharePerSecond * this.pace.qps,
      PACING.minProbeQpsPerSecond,
    );
    return this.pace.qps + stepQps * probingSeconds;
  }

  /**
   * Waits for the next start this action may make. Undefined when that start would come after
   * `notAfter`: the caller's deadline, which waiting longer could not meet.
   */
  turn(notAfter: number): Promise<PacerTicket | undefined> {
    if (this.waiting.length === 0 && this.nextStartAt() <= this.clock.now()) {
      return Promise.resolve(this.start());
    }
    return new Promise((resolve) => {
      this.waiting.push({ notAfter, resolve });
      if (!this.pumping) void this.pump();
    });
  }

  /**
   * Takes ECS's throttle of an attempt. Returns whether it was news, i.e. the attempt started under
   * the current pace; one that started before the pacer slowed down could not have been spared.
   */
  throttled(ticket: PacerTicket, retryAfterMs: number | undefined): boolean {
    const now = this.clock.now();
    const index = this.acceptedStarts.lastIndexOf(ticket.startedAt);
    if (index !== -1) this.acceptedStarts.splice(index, 1);
    // A throttle within a window of the last cut belongs to the same spell: it cuts once.
    const news = ticket.episode === this.episode && now - this.lastCutAt >= PACING.windowMs;
    const acceptedQps = this.acceptedQps(now);
    const learns =
      this.pace !== undefined || this.acceptedStarts.length >= PACING.minAcceptedToLearn;
    if (news) this.episode += 1;
    if (news && learns) {
      this.lastCutAt = now;
      // Throttled at the current pace, ECS allows less than that too.
      const qps = Math.max(
        this.floorQps,
        PACING.cutShare * Math.min(acceptedQps, this.qps(now) ?? Infinity),
      );
      if (!this.pace) this.floorQps = Math.max(PACING.minQps, PACING.floorShareOfFirstLearnt * qps);
      this.pace = { qps, since: now };
    }
    const pauseMs = retryAfterMs ?? 1000 / (this.qps(now) ?? PACING.minQps);
    this.pausedUntil = Math.max(this.pausedUntil, now + pauseMs);
    // Probing starts once the action resumes.
    if (this.pace) this.pace.since = Math.max(this.pace.since, this.pausedUntil);
    return news;
  }

  /** Calls a second ECS accepted over the last window (see PACING.windowMs). */
  private acceptedQps(now: number): number {
    const from = now - PACING.windowMs;
    while (this.acceptedStarts.length > 0 && this.acceptedStarts[0] < from) {
      this.acceptedStarts.shift();
    }
    const burstMs = this.firstStartAt > from ? now - this.firstStartAt : 0;
    return (this.acceptedStarts.length * 1000) / (PACING.windowMs + burstMs);
  }

  private nextStartAt(): number {
    const qps = this.qps();
    if (qps === undefined) return this.pausedUntil;
    return Math.max(this.pausedUntil, this.lastStartAt + 1000 / qps);
  }

  private start(): PacerTicket {
    const now = this.clock.now();
    if (this.lastStartAt === Number.NEGATIVE_INFINITY) this.firstStartAt = now;
    this.lastStartAt = now;
    this.acceptedStarts.push(now);
    return { startedAt: now, episode: this.episode };
  }

  /** Lets the waiters start one at a time, in order; the only sleeper, so one timer at most. */
  private async pump(): Promise<void> {
    this.pumping = true;
    while (this.waiting.length > 0) {
      const at = this.nextStartAt();
      // Whoever could only start past their deadline is told now rather than after the wait.
      for (const late of this.waiting.filter((waiter) => waiter.notAfter < at)) {
        this.waiting.splice(this.waiting.indexOf(late), 1);
        late.resolve(undefined);
      }
      const next = this.waiting[0];
      if (!next) break;
      const waitMs = at - this.clock.now();
      if (waitMs > 0) {
        // A throttle or a faster pace while asleep changes the next start: check again after.
        await this.clock.sleep(waitMs);
        continue;
      }
      this.waiting.shift();
      next.resolve(this.start());
    }
    this.pumping = false;
  }
}
