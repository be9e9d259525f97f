import type { ColdStartResult, ColdStartVariant } from '../../bench/cold-start';
import { allPass, buildRows } from '../../bench/report';
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

function coldStart(asDeployed: number): ColdStartResult {
  return {
    rounds: 1,
    bare: variant(1),
    function: variant(1.2),
    functionAsDeployed: variant(asDeployed),
    naive: variant(6),
  };
}

function warm(ratio: number, ratioToOneCall = 2.5): WarmResult {
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

const SAME_CALLS_ROW = 'Warm: handler vs the same ECS calls made directly, 50 instances';
const ONE_CALL_ROW = 'Warm: handler vs one direct DetachKeyPair, 50 instances';
const AS_DEPLOYED_ROW = 'Cold start as deployed: s.yaml NODE_OPTIONS, initialize()';

describe('bench report verdict', () => {
  it.each([
    [SAME_CALLS_ROW, 1.2, 1.4, 'FAIL', false],
    [SAME_CALLS_ROW, 1.1, 1.4, 'PASS', true],
    [SAME_CALLS_ROW, 1.02, 1.4, 'PASS', true],
    [AS_DEPLOYED_ROW, 1.02, 1.52, 'FAIL', false],
    [AS_DEPLOYED_ROW, 1.02, 1.5, 'PASS', true],
  ])(
    'judges %s with the warm ratio at %s× and the cold start at %s×: %s',
    (figure, warmRatio, asDeployed, verdict, passes) => {
      // Prepare
      const figures = {
        coldStart: coldStart(asDeployed),
        warm: warm(warmRatio),
        fleet: [],
        online: [],
        benchSeconds: 60,
      };

      // Act
      const rows = buildRows(figures);

      // Assess
      expect(rows.find((row) => row.figure === figure)?.verdict).toBe(verdict);
      expect(allPass(rows)).toBe(passes);
    },
  );

  it('fails on the one row over its target and on no other', () => {
    // Prepare
    const figures = {
      coldStart: coldStart(1.4),
      warm: warm(1.2),
      fleet: [],
      online: [],
      benchSeconds: 60,
    };

    // Act
    const rows = buildRows(figures);

    // Assess
    expect(rows.filter((row) => row.verdict === 'FAIL').map((row) => row.figure)).toEqual([
      SAME_CALLS_ROW,
    ]);
  });

  it.each([1.05, 2.5])(
    'shows the handler against one direct DetachKeyPair at %s× for context, never judged',
    (ratioToOneCall) => {
      // Prepare
      const figures = {
        coldStart: coldStart(1.4),
        warm: warm(1.05, ratioToOneCall),
        fleet: [],
        online: [],
        benchSeconds: 60,
      };

      // Act
      const rows = buildRows(figures);

      // Assess
      expect(rows.find((row) => row.figure === ONE_CALL_ROW)).toMatchObject({
        measured: expect.stringContaining(`${ratioToOneCall.toFixed(2)}×`),
        verdict: 'info',
      });
      expect(allPass(rows)).toBe(true);
    },
  );

  it("shows a baseline tree's cold start side by side when one is given, never judged", () => {
    // Prepare
    const slower = {
      ...coldStart(1.6),
      baseline: { label: '../before/dist', asDeployed: variant(1.5), ratio: 1.07 },
    };
    const figures = {
      coldStart: slower,
      warm: warm(1.05),
      fleet: [],
      online: [],
      benchSeconds: 60,
    };

    // Act
    const rows = buildRows(figures);
    const withoutBaseline = buildRows({ ...figures, coldStart: coldStart(1.6) });

    // Assess
    expect(rows.find((row) => row.figure.includes('../before/dist'))).toEqual({
      figure: 'Cold start as deployed vs ../before/dist, side by side',
      measured: '1.07× (160.0 ms vs 150.0 ms)',
      target: 'no target: a before/after comparison',
      verdict: 'info',
    });
    expect(rows).toHaveLength(withoutBaseline.length + 1);
  });
});
