/**
 * `npm start`'s stack, started through local/start.ts's programmatic entry, and the examples its
 * banner prints, run exactly as printed (exports then the command) in a shell.
 */
import { startLocalStack, type LocalStack } from '../../local/start';
import { requireBuiltBundle, runProcess } from './helpers';

describe('npm start', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    requireBuiltBundle();
    stack = await startLocalStack({ logLevel: 'silent' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const lines = (): string[] => stack.banner.split('\n');
  const runPrinted = (command: string) =>
    runProcess(
      'bash',
      ['-c', [...lines().filter((l) => l.startsWith('export ')), command].join('\n')],
      {},
    );

  it('prints the URL, the credentials to use and the examples', () => {
    // Prepare
    const { runtime } = stack;

    // Act
    const banner = stack.banner;

    // Assess
    expect(banner).toContain(runtime.url);
    expect(banner).toContain(
      `export ALIBABA_CLOUD_ACCESS_KEY_ID='${runtime.callerCredentials.accessKeyId}'`,
    );
    expect(lines().filter((l) => l.startsWith('npm run cli -- '))).toHaveLength(4);
  });

  it('runs the printed dry run over the demo fleet', async () => {
    // Prepare
    const example = lines().find((l) => l.includes('--dry-run')) ?? '';

    // Act
    const run = await runPrinted(example);

    // Assess
    expect(run.stdout).toMatch(/WouldDetach\s*│\s*20/);
    expect([0, 1]).toContain(run.code);
  });

  it('runs the printed selection, over the tagged holders of every region with the key', async () => {
    // Prepare
    const example = lines().find((l) => l.includes('--target')) ?? '';

    // Act
    const run = await runPrinted(example);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/WouldDetach\s*│\s*14/);
    expect(run.stdout).toMatch(/cn-hangzhou\s*│\s*10/);
    expect(run.stdout).toMatch(/cn-shanghai\s*│\s*4/);
  });

  it('runs the printed HTTP trigger example, which detaches three instances', async () => {
    // Prepare
    const example = lines().find((l) => l.includes('--url') && !l.includes('http-request')) ?? '';

    // Act
    const run = await runPrinted(example);

    // Assess
    expect(run.code).toBe(0);
    expect(
      stack.fleet.holdingDemoKey
        .slice(0, 3)
        .map((id) => stack.emulator.state.instance(id)?.KeyPairName),
    ).toEqual([undefined, undefined, undefined]);
  });

  it('runs the printed raw signed request', async () => {
    // Prepare
    const example = lines().find((l) => l.includes('http-request')) ?? '';

    // Act
    const run = await runPrinted(example);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^HTTP 200$/m);
    expect(run.stdout).toContain('"TotalCount":2');
  });
});

describe('npm start as a process', () => {
  it('prints its banner and stops cleanly on SIGTERM', async () => {
    // Prepare
    const { spawn } = await import('node:child_process');
    // What `npm start` runs after building.
    const child = spawn('node_modules/.bin/tsx', ['local/start.ts'], {
      cwd: `${__dirname}/../..`,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await new Promise<void>((ready) =>
      child.stdout.on('data', () => stdout.includes('Ctrl-C') && ready()),
    );

    // Act
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((exited) => child.on('exit', exited));

    // Assess
    expect(stdout).toContain('detach-key-pair is running locally');
    expect(code).toBe(0);
  });
});
