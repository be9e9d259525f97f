import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

export const REPO_ROOT = join(__dirname, '..');
const FUNCTION_BUNDLE = join(REPO_ROOT, 'dist', 'index.js');

export interface BenchArtifacts {
  dir: string;
  /**
   * A snapshot of dist/ taken at the start, so that a build running meanwhile in the shared tree
   * (npm test rebuilds dist/) can neither break the run nor swap the bundle between figures.
   */
  functionBundle: string;
  /** The whole ECS client bundled the way build.mjs bundles the function. */
  naiveBundle: string;
  /** The child program that invokes the handler (and the direct SDK call), run with plain node. */
  invokeChild: string;
  dispose(): Promise<void>;
}

/**
 * Built under bench/results/ rather than the OS temp dir so the child, whose node_modules are left
 * external, resolves them from the repo.
 */
export async function buildArtifacts(): Promise<BenchArtifacts> {
  if (!existsSync(FUNCTION_BUNDLE)) {
    throw new Error(`${FUNCTION_BUNDLE} is missing: run npm run build first`);
  }
  await mkdir(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  const dir = await mkdtemp(join(REPO_ROOT, 'bench', 'results', 'build-'));
  const functionBundle = join(dir, 'function', 'index.js');
  // All of dist/ goes along: index.js requires the SDK files beside it (build.mjs).
  await cp(dirname(FUNCTION_BUNDLE), dirname(functionBundle), { recursive: true });
  const naiveBundle = join(dir, 'naive.js');
  const invokeChild = join(dir, 'invoke-child.js');
  // Mirrors build.mjs so the naive baseline differs from dist/index.js only in what it imports.
  await build({
    entryPoints: [join(__dirname, 'naive-entry.ts')],
    outfile: naiveBundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    logLevel: 'warning',
  });
  await build({
    entryPoints: [join(__dirname, 'invoke-child.ts')],
    outfile: invokeChild,
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
  return {
    dir,
    functionBundle,
    naiveBundle,
    invokeChild,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
