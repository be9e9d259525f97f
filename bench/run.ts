import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { REPO_ROOT, buildArtifacts, type BenchArtifacts } from './artifacts';
import { startInvokeChild } from './child';
import { startBenchEmulator } from './emulator';
import { measureColdStart, type ColdStartResult } from './cold-start';
import { measureFleet, type FleetLimits, type FleetResult } from './fleet';
import {
  HOLDERS_ACCOUNT,
  measureHolders,
  type HoldersAccount,
  type HoldersResult,
} from './holders';
import { measureOnline, type OnlineLimits, type OnlineResult } from './online';
import { allPass, buildRows, describeMachine, renderTable, type Machine, type Row } from './report';
import { measureWarm, type WarmResult } from './warm';

export interface BenchConfig {
  coldStartRounds: number;
  warmRounds: number;
  warmupRounds: number;
  warmInstances: number;
  fleetSizes: number[];
  fleetRuns: number;
  fleetLimits: FleetLimits;
  /** Mode Online: each size one run, every guest's script really run by the emulator. */
  onlineSizes: number[];
  onlineLimits: OnlineLimits;
  /** Target Holders over `*`: the account the selection is measured on; undefined skips it. */
  holdersAccount?: HoldersAccount;
  /** Another tree's dist/: its cold start as deployed is measured in the same rounds. */
  baselineDist?: string;
  outputFile: string;
}

export const FULL_BENCH: BenchConfig = {
  coldStartRounds: 40,
  warmRounds: 400,
  warmupRounds: 10,
  warmInstances: 50,
  fleetSizes: [100, 1_000, 10_000],
  fleetRuns: 5,
  fleetLimits: { latencyMs: 30, qps: 20 },
  onlineSizes: [1_000],
  // The emulator's defaults: the agent's pick-up delay, and twice the cores for scripts.
  onlineLimits: { latencyMs: 30, qps: 20, agentDelayMs: 200, maxConcurrentScripts: 4 },
  holdersAccount: HOLDERS_ACCOUNT,
  outputFile: join(REPO_ROOT, 'bench', 'results', 'latest.json'),
};

export interface BenchReport {
  date: string;
  machine: Machine;
  config: BenchConfig;
  coldStart: ColdStartResult;
  warm: WarmResult;
  fleet: FleetResult[];
  online: OnlineResult[];
  holders?: HoldersResult;
  benchSeconds: number;
  rows: Row[];
  allPass: boolean;
  table: string;
}

async function measureAgainstEmulator(
  config: BenchConfig,
  artifacts: BenchArtifacts,
): Promise<{ warm: WarmResult; fleet: FleetResult[] }> {
  const bench = await startBenchEmulator();
  try {
    const child = await startInvokeChild({
      script: artifacts.invokeChild,
      functionBundle: artifacts.functionBundle,
      env: { ECS_ENDPOINT: bench.emu.url },
    });
    const warm = await measureWarm({
      bench,
      child,
      instances: config.warmInstances,
      rounds: config.warmRounds,
      warmupRounds: config.warmupRounds,
    }).finally(() => child.stop());
    const fleet = await measureFleet({
      bench,
      script: artifacts.invokeChild,
      functionBundle: artifacts.functionBundle,
      sizes: config.fleetSizes,
      runs: config.fleetRuns,
      limits: config.fleetLimits,
    });
    return { warm, fleet };
  } finally {
    await bench.emu.stop();
  }
}

/** Measures everything, writes the JSON report to config.outputFile and returns it. */
export async function runBench(config: BenchConfig): Promise<BenchReport> {
  const started = performance.now();
  const artifacts = await buildArtifacts();
  try {
    const coldStart = await measureColdStart({
      rounds: config.coldStartRounds,
      functionBundle: artifacts.functionBundle,
      naiveBundle: artifacts.naiveBundle,
      baseline:
        config.baselineDist === undefined
          ? undefined
          : { bundle: join(resolve(config.baselineDist), 'index.js'), label: config.baselineDist },
    });
    const { warm, fleet } = await measureAgainstEmulator(config, artifacts);
    const online = await measureOnline({
      script: artifacts.invokeChild,
      functionBundle: artifacts.functionBundle,
      sizes: config.onlineSizes,
      limits: config.onlineLimits,
    });
    const holders =
      config.holdersAccount &&
      (await measureHolders({
        script: artifacts.invokeChild,
        functionBundle: artifacts.functionBundle,
        account: config.holdersAccount,
        limits: config.fleetLimits,
      }));
    const benchSeconds = (performance.now() - started) / 1000;
    const rows = buildRows({ coldStart, warm, fleet, online, holders, benchSeconds });
    const report: BenchReport = {
      date: new Date().toISOString(),
      machine: describeMachine(),
      config,
      coldStart,
      warm,
      fleet,
      online,
      holders,
      benchSeconds,
      rows,
      allPass: allPass(rows),
      table: renderTable(rows),
    };
    await mkdir(dirname(config.outputFile), { recursive: true });
    await writeFile(config.outputFile, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    await artifacts.dispose();
  }
}

async function main(): Promise<void> {
  // --skip-fleet: the cold-start and warm figures only (about 40 s instead of 100 s), for
  // iterating on start-up and per-invocation costs. --online-sizes 1000,10000: the Online sizes
  // (every guest's script runs on this machine: 10,000 take most of an hour on 2 cores).
  // --baseline-dist ../other/dist: another checkout's built dist/, whose cold start as deployed
  // is timed side by side with this one's, for a before/after comparison on a noisy machine.
  const { values } = parseArgs({
    options: {
      'skip-fleet': { type: 'boolean', default: false },
      'online-sizes': { type: 'string' },
      'baseline-dist': { type: 'string' },
    },
  });
  const onlineSizes = values['online-sizes']?.split(',').map(Number) ?? FULL_BENCH.onlineSizes;
  const baselineDist = values['baseline-dist'];
  const report = await runBench(
    values['skip-fleet']
      ? {
          ...FULL_BENCH,
          fleetSizes: [],
          onlineSizes: [],
          holdersAccount: undefined,
          baselineDist,
        }
      : { ...FULL_BENCH, onlineSizes, baselineDist },
  );
  const { machine } = report;
  console.log(`${machine.cpuModel}, ${machine.cpus} CPUs, node ${machine.node}, ${report.date}\n`);
  console.log(report.table);
  console.log(`\nJSON: ${FULL_BENCH.outputFile}`);
  // A failed target fails the command, so CI notices a regression.
  if (!report.allPass) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
