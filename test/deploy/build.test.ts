import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
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
      "import { z } from 'zod';\nexport const handler = async () => z.string().parse('ok');\n";

    // Act
    const run = await buildEntry(workDir, source);

    // Assess
    expect(run.code).toBe(0);
    expect((await readdir(join(workDir, 'dist'))).sort()).toEqual(['index.js', 'index.js.map']);
    expect(run.stdout).toMatch(/index\.js\s+[\d.]+ KiB of [\d.]+ KiB budget/);
    expect(run.stdout).toMatch(/^\s+zod\s+[\d.]+ KiB$/m);
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
