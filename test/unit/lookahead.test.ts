import { PlanLookahead } from '../../functions/detach-key-pair/src/job/lookahead';

/** Lets every promise callback that is ready run. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Records, in order, the labels of the reservations let through. */
function track(lookahead: PlanLookahead, reservations: Array<[label: string, count: number]>) {
  const admitted: string[] = [];
  for (const [label, count] of reservations) {
    void lookahead.reserve(count).then(() => admitted.push(label));
  }
  return admitted;
}

describe('PlanLookahead', () => {
  it('lets reservations through at once while they fit', async () => {
    // Prepare
    const lookahead = new PlanLookahead(200);

    // Act
    const admitted = track(lookahead, [
      ['first', 100],
      ['second', 100],
    ]);
    await nextTurn();

    // Assess
    expect(admitted).toEqual(['first', 'second']);
  });

  it('holds a reservation that does not fit until a release makes room', async () => {
    // Prepare
    const lookahead = new PlanLookahead(200);
    lookahead.take(200);
    const admitted = track(lookahead, [['waiting', 100]]);
    await nextTurn();
    const heldBeforeRelease = admitted.length === 0;

    // Act
    lookahead.release(100);
    await nextTurn();

    // Assess
    expect(heldBeforeRelease).toBe(true);
    expect(admitted).toEqual(['waiting']);
  });

  it('lets a chunk larger than the limit through when nothing is under way', async () => {
    // Prepare
    const lookahead = new PlanLookahead(50);

    // Act
    const admitted = track(lookahead, [['large', 100]]);
    await nextTurn();

    // Assess
    expect(admitted).toEqual(['large']);
  });

  it('holds a chunk larger than the limit until nothing else is under way', async () => {
    // Prepare
    const lookahead = new PlanLookahead(50);
    lookahead.take(10);
    const admitted = track(lookahead, [['large', 100]]);
    await nextTurn();
    const heldWhileBusy = admitted.length === 0;

    // Act
    lookahead.release(10);
    await nextTurn();

    // Assess
    expect(heldWhileBusy).toBe(true);
    expect(admitted).toEqual(['large']);
  });

  it('admits only as many waiters as each release makes room for, in order', async () => {
    // Prepare
    const lookahead = new PlanLookahead(200);
    lookahead.take(200);
    const admitted = track(lookahead, [
      ['first', 100],
      ['second', 100],
      ['third', 100],
    ]);
    await nextTurn();

    // Act
    const admittedAfter: string[][] = [];
    for (let release = 0; release < 3; release += 1) {
      lookahead.release(100);
      await nextTurn();
      admittedAfter.push([...admitted]);
    }

    // Assess
    expect(admittedAfter).toEqual([['first'], ['first', 'second'], ['first', 'second', 'third']]);
  });
});
