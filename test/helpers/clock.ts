import type { Clock } from '../../functions/detach-key-pair/src/deadline';

/** Virtual time: sleeping advances it at once, so retries and deadlines run without waiting. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];

  constructor(
    private current = 1_700_000_000_000,
    private readonly randomValue = 0.5,
  ) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.current += ms;
  };

  random = (): number => this.randomValue;
}
