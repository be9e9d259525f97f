import { mapWithConcurrency } from '../../../cli/concurrency';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('mapWithConcurrency', () => {
  it('keeps at most the limit in flight and returns results in input order', async () => {
    // Prepare
    let inFlight = 0;
    let peak = 0;
    const work = async (n: number): Promise<number> => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await tick();
      inFlight -= 1;
      return n * 10;
    };

    // Act
    const results = await mapWithConcurrency([1, 2, 3, 4, 5, 6, 7], 3, work);

    // Assess
    expect(results).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(peak).toBe(3);
  });

  it('starts nothing new after a failure and rethrows it', async () => {
    // Prepare
    const started: number[] = [];
    const work = async (n: number): Promise<number> => {
      started.push(n);
      await tick();
      if (n === 1) throw new Error('refused');
      return n;
    };

    // Act
    const run = mapWithConcurrency([1, 2, 3, 4, 5], 2, work);

    // Assess
    await expect(run).rejects.toThrow('refused');
    expect(started).toEqual([1, 2]);
  });
});
