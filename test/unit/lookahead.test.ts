import { PlanLookahead } from '../../functions/detach-key-pair/src/lookahead';

/** Lets every promise callback that is ready run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Whether `reservation` was let through once everything ready has run. */
async function admitted(reservation: Promise<void>): Promise<boolean> {
  let through = false;
  void reservation.then(() => (through = true));
  await settle();
  return through;
}

describe('PlanLookahead', () => {
  it('lets reservations through at once while they fit', async () => {
    // Prepare
    const lookahead = new PlanLookahead(200);

    // Act
    const first = await admitted(lookahead.reserve(100));
    const second = await admitted(lookahead.reserve(100));

    // Assess
    expect([first, second]).toEqual([true, true]);
  });

  it('holds a reservation that does not fit until a release makes room', async () => {
    // Prepare
    const lookahead = new PlanLookahead(200);
    await lookahead.reserve(100);
    lookahead.take(100);
    const reservation = lookahead.reserve(100);
    const beforeRelease = await admitted(reservation);

    // Act
    lookahead.release(100);

    // Assess
    expect(beforeRelease).toBe(false);
    expect(await admitted(reservation)).toBe(true);
  });

  it('lets a chunk larger than the limit through when nothing is under way', async () => {
    // Prepare
    const lookahead = new PlanLookahead(50);

    // Act
    const through = await admitted(lookahead.reserve(100));

    // Assess
    expect(through).toBe(true);
  });

  it('admits only as many waiters as the freed room holds, in order', async () => {
    // Prepare
    const lookahead = new PlanLookahead(200);
    lookahead.take(200);
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => lookahead.reserve(100).then(() => order.push(n)));
    await settle();

    // Act
    lookahead.release(100);
    await settle();
    const afterOneRelease = [...order];
    lookahead.release(100);
    await settle();
    lookahead.release(100);
    await Promise.all(waiters);

    // Assess
    expect(afterOneRelease).toEqual([1]);
    expect(order).toEqual([1, 2, 3]);
  });
});
