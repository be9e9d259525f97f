import type { ColdStartVariant } from '../../bench/cold-start';
import { buildRows } from '../../bench/report';
import type { WarmResult } from '../../bench/warm';

const MB = 1024 * 1024;

function variant(ratioToBare: number): ColdStartVariant {
  return {
    medianMs: 100 * ratioToBare,
    samplesMs: [100 * ratioToBare],
    ratioToBare,
    footprint: { rssBytes: 40 * MB, maxRssBytes: 40 * MB },
  };
}

function warm(ratio: number, ratioToOneCall: number): WarmResult {
  return {
    rounds: 1,
    instances: 50,
    handlerMedianMs: 5,
    directMedianMs: 5 / ratio,
    directDetachMedianMs: 5 / ratioToOneCall,
    ratio,
    ratioToOneCall,
    samplesMs: { handler: [5], direct: [5 / ratio], directDetach: [5 / ratioToOneCall] },
    handlerCallsByAction: { DescribeInstances: 1, DetachKeyPair: 1 },
    directCallsByAction: { DescribeInstances: 1, DetachKeyPair: 1 },
  };
}

const coldStart = {
  rounds: 1,
  bare: variant(1),
  function: variant(1.2),
  functionAsDeployed: variant(1.4),
  naive: variant(6),
};

const ONE_CALL_ROW = 'Warm: handler vs one direct DetachKeyPair, 50 instances';

describe('bench report rows', () => {
  it.each([
    [2.5, 'blocked'],
    [1.05, 'PASS'],
  ])('marks the one-call warm row at %s× as %s, never FAIL', (ratioToOneCall, verdict) => {
    // Prepare
    const figures = { coldStart, warm: warm(1.05, ratioToOneCall), fleet: [], benchSeconds: 60 };

    // Act
    const rows = buildRows(figures);

    // Assess
    expect(rows.find((row) => row.figure === ONE_CALL_ROW)?.verdict).toBe(verdict);
    expect(rows.filter((row) => row.verdict === 'FAIL')).toEqual([]);
  });

  it('fails the like-for-like warm row over its target', () => {
    // Prepare
    const figures = { coldStart, warm: warm(1.2, 2.5), fleet: [], benchSeconds: 60 };

    // Act
    const rows = buildRows(figures);

    // Assess
    expect(rows.filter((row) => row.verdict === 'FAIL').map((row) => row.figure)).toEqual([
      'Warm: handler vs the same ECS calls made directly, 50 instances',
    ]);
  });
});
