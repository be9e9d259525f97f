import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoPath, REPO_ROOT } from './support';

interface BuildRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs build.mjs on a throwaway entry, so the real dist/ and metafile are left alone. */
async function buildEntry(workDir: string, source: string): Promise<BuildRun> {
  const entry = join(workDir, 'index.ts');
  await writeFile(entry, source);
  const args = [
    repoPath('build.mjs'),
    ...['--entry', entry, '--outdir', join(workDir, 'dist')],
    ...['--metafile', join(workDir, 'metafile.json')],
  ];
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, {
      cwd: REPO_ROOT,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as BuildRun;
    return { code, stdout, stderr };
  }
}

describe('build.mjs', () => {
  let workDir: string;

  beforeEach(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'build-'));
  });

  afterEach(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('writes only what FC needs to the output directory, and reports sizes by package', async () => {
    // Prepare
    const source =
      "import * as z from 'zod/mini';\nexport const handler = async () => z.string().parse('ok');\n";

    // Act
    const run = await buildEntry(workDir, source);

    // Assess
    expect(run.code).toBe(0);
    // No SDK files: nothing imports the SDK adapter. The map serves --enable-source-maps.
    expect(await readdir(join(workDir, 'dist'))).toEqual(['index.js', 'index.js.map']);
    expect(run.stdout).toMatch(/index\.js\s+[\d.]+ KiB of [\d.]+ KiB budget/);
    expect(run.stdout).toMatch(/^\s+zod\s+[\d.]+ KiB$/m);
  });

  it('splits the function so that a cold start loads the SDK only in initialize, and the stages and rare parts not even then', async () => {
    // Prepare
    const bundle = repoPath('dist/index.js');
    const loadedFiles =
      "const files = () => Object.keys(require.cache).map((file) => require('path').basename(file));" +
      `const fn = require(${JSON.stringify(bundle)}); const atLoad = files();` +
      'fn.initialize().then(() => console.log(JSON.stringify({ atLoad, afterInitialize: files() })));';

    // Act
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', loadedFiles], {
      cwd: REPO_ROOT,
    });

    // Assess
    expect((await readdir(repoPath('dist'))).sort()).toEqual([
      'ecs-sdk-extra.js',
      'ecs-sdk-extra.js.map',
      'ecs-sdk-rare.js',
      'ecs-sdk-rare.js.map',
      'ecs-sdk.js',
      'ecs-sdk.js.map',
      'index.js',
      'index.js.map',
      'stages.js',
      'stages.js.map',
    ]);
    expect(JSON.parse(stdout)).toEqual({
      atLoad: ['index.js'],
      afterInitialize: ['index.js', 'ecs-sdk.js'],
    });
  });

  it('keeps one copy of each own module: stages.js is handed those that index.js holds', async () => {
    // Prepare: the metafile of the build that `npm test` runs first.
    const metafile = JSON.parse(
      await readFile(repoPath('node_modules/.cache/detach-key-pair/metafile.json'), 'utf8'),
    ) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
    const ownModules = (file: string) =>
      Object.keys(metafile.outputs[file].inputs).filter((path) => path.startsWith('functions/'));

    // Act
    const inFunction = ownModules('dist/index.js');
    const inStages = ownModules('dist/stages.js');

    // Assess
    expect(inStages).toEqual(
      expect.arrayContaining([
        'functions/detach-key-pair/src/job/revoke.ts',
        'functions/detach-key-pair/src/job/restart.ts',
        'functions/detach-key-pair/src/guest/remove-key.sh',
      ]),
    );
    expect(inFunction).toContain('functions/detach-key-pair/src/errors.ts');
    expect(inStages.filter((path) => inFunction.includes(path))).toEqual([]);
  });

  it('fails when the all-operations ECS client is bundled', async () => {
    // Prepare
    const source = "export { default } from '@alicloud/ecs20140526';\n";

    // Act
    const run = await buildEntry(workDir, source);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^\s+@alicloud\/ecs20140526\s+[\d.]+ KiB$/m);
    expect(run.stderr).toMatch(/Bundle exceeds the budget in bundle-budget\.json/);
  }, 30_000);
});
