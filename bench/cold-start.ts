import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { DEPLOYED_NODE_FLAGS, plainNodeEnv } from './env';
import { interleave, median, medianRatio } from './stats';

export interface LoadFootprint {
  /** Resident set size right after the bundle finished loading. */
  rssBytes: number;
  /** Peak resident set size of the process up to that point. */
  maxRssBytes: number;
}

export interface ColdStartVariant {
  medianMs: number;
  /** Every round's time, in order. */
  samplesMs: number[];
  /** Median over rounds of this variant's time divided by bare node's time in the same round. */
  ratioToBare: number;
  footprint: LoadFootprint;
}

export interface ColdStartResult {
  rounds: number;
  bare: ColdStartVariant;
  /** `require('dist/index.js')`: module-ready as the issue defines it. */
  function: ColdStartVariant;
  /**
   * What FC does before the first invocation with s.yaml's settings: NODE_OPTIONS
   * --enable-source-maps, then the `index.initialize` initializer awaited.
   */
  functionAsDeployed: ColdStartVariant;
  naive: ColdStartVariant;
  /** Another tree's bundle loaded as deployed, in the same rounds: a before/after comparison. */
  baseline?: BaselineComparison;
}

export interface BaselineComparison {
  /** The checkout's dist/ as the command line named it. */
  label: string;
  asDeployed: ColdStartVariant;
  /** Median over rounds of this tree's as-deployed time divided by the baseline's. */
  ratio: number;
}

/** A node command line: flags, and a script whose value (awaited) means "ready". */
interface NodeRun {
  flags: string[];
  script: string;
}

function runNode({ flags, script }: NodeRun): { ms: number; stdout: string } {
  const started = performance.now();
  const child = spawnSync(process.execPath, [...flags, '-e', script], {
    env: plainNodeEnv(),
    encoding: 'utf8',
    // A bundle that leaves a timer or socket open at load never exits; fail instead of hanging.
    timeout: 60_000,
  });
  const ms = performance.now() - started;
  if (child.status !== 0) {
    throw new Error(`node -e ${script} exited with ${child.status}: ${child.stderr}`);
  }
  return { ms, stdout: child.stdout };
}

const FOOTPRINT_PRINTER =
  'process.stdout.write(JSON.stringify({rssBytes:process.memoryUsage().rss,' +
  'maxRssBytes:process.resourceUsage().maxRSS*1024}))';

function footprint(run: NodeRun): LoadFootprint {
  const script = `Promise.resolve(${run.script}).then(()=>{${FOOTPRINT_PRINTER}})`;
  return JSON.parse(runNode({ ...run, script }).stdout) as LoadFootprint;
}

/** Memory is far less noisy than time; the median of a few samples is plenty. */
function medianFootprint(run: NodeRun, samples: number): LoadFootprint {
  const taken = Array.from({ length: samples }, () => footprint(run));
  return {
    rssBytes: median(taken.map((sample) => sample.rssBytes)),
    maxRssBytes: median(taken.map((sample) => sample.maxRssBytes)),
  };
}

/**
 * Times a fresh `node` from spawn to exit, which follows "ready" at once as long as nothing is
 * left pending at load: bare (`node -e 0`), loading dist/index.js (also as deployed), loading
 * the naive bundle, and, when given, another tree's bundle as deployed.
 */
export async function measureColdStart(options: {
  rounds: number;
  functionBundle: string;
  naiveBundle: string;
  /** Another tree's dist/index.js (built by its own `npm run build`), to compare against. */
  baseline?: { bundle: string; label: string };
}): Promise<ColdStartResult> {
  const load = (bundle: string): string => `require(${JSON.stringify(bundle)})`;
  type VariantName = 'bare' | 'function' | 'functionAsDeployed' | 'naive' | 'baseline';
  const asDeployed = (bundle: string): NodeRun => ({
    flags: DEPLOYED_NODE_FLAGS,
    script: `${load(bundle)}.initialize()`,
  });
  const runs: Record<VariantName, NodeRun> = {
    bare: { flags: [], script: '0' },
    function: { flags: [], script: load(options.functionBundle) },
    functionAsDeployed: asDeployed(options.functionBundle),
    naive: { flags: [], script: load(options.naiveBundle) },
    // Measured only when given.
    baseline: asDeployed(options.baseline?.bundle ?? options.functionBundle),
  };
  const measured = (Object.keys(runs) as VariantName[]).filter(
    (name) => name !== 'baseline' || options.baseline !== undefined,
  );
  // One untimed pass warms the page cache so the first round is not an outlier.
  measured.forEach((name) => runNode(runs[name]));
  const timers = Object.fromEntries(
    measured.map((name) => [name, () => runNode(runs[name]).ms]),
  ) as Record<VariantName, () => number>;
  const times = await interleave(options.rounds, timers);
  const footprintSamples = Math.min(options.rounds, 5);
  const variant = (name: VariantName): ColdStartVariant => ({
    medianMs: median(times[name]),
    samplesMs: times[name],
    ratioToBare: medianRatio(times[name], times.bare),
    footprint: medianFootprint(runs[name], footprintSamples),
  });
  return {
    rounds: options.rounds,
    bare: variant('bare'),
    function: variant('function'),
    functionAsDeployed: variant('functionAsDeployed'),
    naive: variant('naive'),
    ...(options.baseline && {
      baseline: {
        label: options.baseline.label,
        asDeployed: variant('baseline'),
        ratio: medianRatio(times.functionAsDeployed, times.baseline),
      },
    }),
  };
}
