/**
 * Sizes of the reliability runs. `npm test` runs them small enough to add well under a minute;
 * `npm run reliability` sets RELIABILITY=full for the figures in RELIABILITY.md. Each size can be
 * set on its own too, e.g. RELIABILITY_FUZZ_RUNS=50000.
 */
const FULL = process.env.RELIABILITY === 'full';

function size(name: string, ci: number, full: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? (FULL ? full : ci) : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

export const RELIABILITY = {
  /** fast-check runs per fuzz property (there are several properties, one per adapter family). */
  fuzzRuns: size('RELIABILITY_FUZZ_RUNS', 150, 10_000),
  /** Instances in the fault-injection fleet. */
  faultFleet: size('RELIABILITY_FAULT_FLEET', 600, 3000),
  /** Requests sent at once to the local runtime. */
  loadRequests: size('RELIABILITY_LOAD_REQUESTS', 120, 1000),
  /** Seed for fast-check and the emulator, so a failure replays. */
  seed: size('RELIABILITY_SEED', 20_240_501, 20_240_501),
};

/** Prints a figure for RELIABILITY.md; only in a full run, so `npm test` stays quiet. */
export function report(name: string, figures: Record<string, unknown>): void {
  if (FULL || process.env.RELIABILITY_REPORT === '1') {
    process.stdout.write(`RELIABILITY ${name} ${JSON.stringify(figures)}\n`);
  }
}
