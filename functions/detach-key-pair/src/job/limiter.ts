/**
 * Bounds how many calls of one kind are in flight, retries and their waits included. The rate
 * is the pacer's business (job/pacer.ts); this only keeps a runaway fan-out from opening more
 * connections, and holding more responses in memory, than `ECS_CONCURRENCY` allows.
 */
export class ConcurrencyLimiter {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      // The freed slot goes straight to the next waiter, so it is never counted free in between.
      const next = this.waiting.shift();
      if (next) next();
      else this.inFlight -= 1;
    }
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.limit) {
      this.inFlight += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}
