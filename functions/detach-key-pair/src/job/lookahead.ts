/** Keeps the plan (DescribeInstances) from running far ahead of the apply (DetachKeyPair). */
import { DETACH_KEY_PAIR_MAX_IDS } from '../ecs/port';

/**
 * How far the plan may run ahead of the apply: two DetachKeyPair batches of ids per call slot
 * (ECS_CONCURRENCY) may wait or be in flight before another DescribeInstances starts. The apply
 * sets the pace (two detach calls per describe), so describing further ahead would gain nothing
 * and only spend the DescribeInstances rate limit sooner.
 */
export const PLAN_LOOKAHEAD_IDS_PER_CALL_SLOT = 2 * DETACH_KEY_PAIR_MAX_IDS;

/**
 * Instance ids in calls under way (DescribeInstances or DetachKeyPair), bounded. Ids waiting to
 * fill a batch are not counted: only calls in flight can free room, so a wait always ends.
 */
export class PlanLookahead {
  private reserved = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  /** Waits until `count` more ids fit (always lets one through when nothing is under way). */
  async reserve(count: number): Promise<void> {
    while (this.reserved > 0 && this.reserved + count > this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.reserved += count;
  }

  /** Counts ids that go under way whatever the room: a batch may not wait on the plan. */
  take(count: number): void {
    this.reserved += count;
  }

  release(count: number): void {
    this.reserved -= count;
    // Every waiter checks again; the first to fit takes the room (reserve is synchronous after
    // its wake-up), the others wait for the next release.
    this.waiting.splice(0).forEach((wake) => wake());
  }
}
