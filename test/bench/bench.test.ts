import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FULL_BENCH, runBench, type BenchConfig, type BenchReport } from '../../bench/run';

// Keeps the harness working inside npm test: the whole pipeline once, at a size and speed a test
// can afford. It checks what the bench reports, not how fast anything is.
describe('npm run bench harness', () => {
  let outputDir: string;

  beforeEach(() => {
    outputDir = mkdtempSync(join(tmpdir(), 'bench-test-'));
  });

  afterEach(() => {
    rmSync(outputDir, { recursive: true, force: true });
  });

  it('measures every figure for a small fleet, renders the table and writes the JSON', async () => {
    // Prepare
    const config: BenchConfig = {
      ...FULL_BENCH,
      coldStartRounds: 1,
      warmRounds: 1,
      warmupRounds: 0,
      fleetSizes: [100],
      fleetRuns: 1,
      fleetLimits: { latencyMs: 1, qps: 200 },
      onlineSizes: [10],
      onlineLimits: { latencyMs: 1, qps: 200, agentDelayMs: 5, maxConcurrentScripts: 4 },
      holdersAccount: {
        regions: [
          { regionId: 'cn-hangzhou', instances: 300, holders: 30 },
          { regionId: 'cn-shanghai', instances: 200, holders: 0 },
        ],
      },
      outputFile: join(outputDir, 'latest.json'),
    };

    // Act
    const report = await runBench(config);

    // Assess
    const written = JSON.parse(readFileSync(config.outputFile, 'utf8')) as BenchReport;
    expect(written.rows).toEqual(report.rows);
    expect(report.rows.map((row) => row.figure)).toEqual(
      expect.arrayContaining([
        'Cold start: require(dist/index.js) vs bare node',
        'RSS after load: dist/index.js',
        'Warm: handler vs the same ECS calls made directly, 50 instances',
        'Warm: handler vs one direct DetachKeyPair, 50 instances',
        'Fleet 100: wall vs rate-limit bound',
        'Fleet 100: ECS calls (throttled)',
        'Fleet 100: peak RSS (worst run)',
        'Fleet 100: every id once, detaches as reported',
        'Fleet 100: every instance detached',
        'Online 10: ECS calls per instance',
        "Online 10: wall vs the emulator's bound",
        'Online 10: guests clean, instances detached',
        'Holders (500 instances, 30 holders): DescribeInstances pages',
        'Holders (500 instances, 30 holders): exactly the holders detached',
      ]),
    );
    for (const row of report.rows) {
      expect(report.table).toContain(row.figure);
      expect(['PASS', 'FAIL', 'info']).toContain(row.verdict);
    }
    // The warm baseline makes the very calls the handler makes, so the ratio compares like with like.
    expect(report.warm.directCallsByAction).toEqual(report.warm.handlerCallsByAction);
    const [fleet] = report.fleet;
    expect(fleet.runs[0].outcome).toMatchObject({
      requested: 100,
      lost: 0,
      duplicated: 0,
      unexpected: 0,
      detachedReported: 100,
      detachedOnEcs: 100,
      notDetachedByCode: {},
      countsAddUp: true,
      exact: true,
      complete: true,
    });
    expect(fleet.runs[0].callsByAction.DetachKeyPair).toBeGreaterThanOrEqual(2);
    expect(report.online[0]).toMatchObject({ instances: 10, detached: 10, guestsHoldingKey: 0 });
    expect(report.online[0].callsByAction.RunCommand).toBe(1);
    expect(report.holders).toMatchObject({ holders: 30, holdersLeft: 0, othersTouched: 0 });
  }, 180_000);
});
