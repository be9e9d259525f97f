/**
 * The CLI's progress per stage, driven against the built bundle in the local FC runtime and the
 * emulator's guests. The CLI runs in this process where it must believe it writes to a terminal
 * (a child process's stderr is a pipe), and as a child process where it must draw nothing.
 */
import { runCli as runCliHere } from '../../cli/main';
import { startEcsEmulator, type EcsEmulator } from '../../local/ecs-emulator';
import type { FcRuntime } from '../../local/fc-runtime';
import { ANSI_ESCAPE, CapturedStream } from '../helpers/terminal';
import { buildCli, cliEnv, requireBuiltBundle, runCli, startRuntimesPerMode } from './helpers';

const REGION = 'cn-hangzhou';
const KEY = 'leaked-key';

describe('the CLI shows progress per stage', () => {
  let emulator: EcsEmulator;
  let online: FcRuntime;
  let reboot: FcRuntime;

  beforeAll(async () => {
    requireBuiltBundle();
    await buildCli();
    emulator = await startEcsEmulator({ timing: { rebootMs: 200, agentDelayMs: 10 } });
    ({ online, reboot } = await startRuntimesPerMode(emulator));
  });

  afterAll(async () => {
    await online?.stop();
    await reboot?.stop();
    await emulator?.stop();
  });

  beforeEach(() => emulator.reset());

  /** Seeding holders creates the key pair too. */
  const holders = (count: number, status?: 'Stopped'): string[] =>
    emulator.state.seedFleet({ regionId: REGION, count, keyPairName: KEY, status });

  /** The CLI at a person's terminal: what stderr drew, and the exit code. */
  async function atTerminal(runtime: FcRuntime, args: string[]) {
    const terminal = new CapturedStream(true);
    const code = await runCliHere(['--region', REGION, '--key-pair', KEY, ...args], {
      env: cliEnv(runtime),
      stdout: new CapturedStream(false),
      stderr: terminal,
      readFile: () => {
        throw new Error('no file is read here');
      },
    });
    return { code, terminal };
  }

  it('Detach: the detached bar counts Detached and Skipped as done, across invocations', async () => {
    // Prepare
    const ids = [...holders(3), ...emulator.state.seedFleet({ regionId: REGION, count: 1 })];

    // Act
    const { code, terminal } = await atTerminal(online, [
      '--instances',
      ids.join(','),
      '--chunk-size',
      '2',
    ]);

    // Assess
    expect(code).toBe(0);
    expect(terminal.lastDrawn('Invocations ')).toMatch(/\] 2\/2 answered \|/);
    expect(terminal.lastDrawn('Detached ')).toMatch(/\] 4\/4 \| 0 failed \|/);
  });

  it('Online: an offline agent fails the removal, and that instance never reaches the detach', async () => {
    // Prepare
    const ids = holders(3);
    emulator.setInstanceFaults(ids[1], { agentOffline: true });

    // Act
    const { code, terminal } = await atTerminal(online, [
      '--mode',
      'Online',
      '--instances',
      ids.join(','),
      '--chunk-size',
      '2',
    ]);

    // Assess
    expect(code).toBe(1);
    expect(terminal.lastDrawn('Key removed from guests ')).toMatch(/\] 2\/3 \| 1 failed \|/);
    expect(terminal.lastDrawn('Detached ')).toMatch(/\] 2\/3 \| 0 failed \| 1 not reached \|/);
    expect(emulator.state.instance(ids[1])?.KeyPairName).toBe(KEY);
  });

  it('Reboot: an instance ECS will not restart is detached, and failed at the restart', async () => {
    // Prepare
    const ids = [...holders(2), ...holders(1, 'Stopped')];

    // Act
    const { code, terminal } = await atTerminal(reboot, [
      '--mode',
      'Reboot',
      '--max-unavailable',
      '2',
      '--instances',
      ids.join(','),
    ]);

    // Assess
    expect(code).toBe(1);
    expect(terminal.lastDrawn('Detached ')).toMatch(/\] 3\/3 \| 0 failed \|/);
    expect(terminal.lastDrawn('Restarted ')).toMatch(/\] 2\/3 \| 1 failed \|/);
  });

  it('with a Target, the stages fill in at once when the one invocation answers', async () => {
    // Prepare
    holders(2);

    // Act
    const { code, terminal } = await atTerminal(online, [
      '--mode',
      'Online',
      '--target',
      'holders',
    ]);

    // Assess
    expect(code).toBe(0);
    expect(terminal.lastDrawn('Invocations ')).toMatch(/\] 1\/1 answered \|/);
    expect(terminal.lastDrawn('Key removed from guests ')).toMatch(/\] 2\/2 \| 0 failed \|/);
    expect(terminal.lastDrawn('Detached ')).toMatch(/\] 2\/2 \| 0 failed \|/);
  });

  it('draws nothing when stderr is piped, and prints plain tables', async () => {
    // Prepare
    const ids = holders(3);
    emulator.setInstanceFaults(ids[0], { agentOffline: true });

    // Act
    const run = await runCli(
      ['--region', REGION, '--key-pair', KEY, '--mode', 'Online', '--instances', ids.join(',')],
      cliEnv(online),
    );

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.stdout).not.toContain(ANSI_ESCAPE);
    expect(run.stdout).toMatch(/Failed\s*│\s*1/);
  });

  it('draws nothing with --json, even at a terminal', async () => {
    // Prepare
    const ids = holders(2);

    // Act
    const { code, terminal } = await atTerminal(online, ['--instances', ids.join(','), '--json']);

    // Assess
    expect(code).toBe(0);
    expect(terminal.written).toBe('');
  });
});
