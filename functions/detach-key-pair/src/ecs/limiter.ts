/**
 * Bounds how many calls of one kind are in flight. The bound adapts: it halves when ECS
 * throttles and climbs back by one after a bound's worth of successes (AIMD), never above the
 * configured ceiling.
 */
export class AdaptiveLimiter {
  private inFlight = 0;
  private successesSinceChange = 0;
  private readonly waiting: Array<() => void> = [];
  private currentLimit: number;

  constructor(private readonly ceiling: number) {
    this.currentLimit = ceiling;
  }

  get limit(): number {
    return this.currentLimit;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.inFlight -= 1;
      this.wake();
    }
  }

  onThrottled(): void {
    this.currentLimit = Math.max(1, Math.floor(this.currentLimit / 2));
    this.successesSinceChange = 0;
  }

  onSucceeded(): void {
    this.successesSinceChange += 1;
    if (this.successesSinceChange >= this.currentLimit && this.currentLimit < this.ceiling) {
      this.currentLimit += 1;
      this.successesSinceChange = 0;
      this.wake();
    }
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.currentLimit) {
      this.inFlight += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands freed slots to waiters, counting each slot before the waiter resumes. */
  private wake(): void {
    while (this.inFlight < this.currentLimit) {
      const next = this.waiting.shift();
      if (!next) return;
      this.inFlight += 1;
      next();
    }
  }
}
