import { mergeResults } from '../../../cli/result';
import { ANSI_ESCAPE, CapturedStream } from '../../helpers/terminal';
import { entry, request, result } from './results';

// cli-table3 colours through @colors/colors, which reads FORCE_COLOR once, when it loads: forced
// on, only the CLI's own choice can keep escape codes out of a table.
process.env.FORCE_COLOR = '1';
const { startProgress, summary, wantsColour } =
  jest.requireActual<typeof import('../../../cli/report')>('../../../cli/report');

const detachedAndFailed = () =>
  mergeResults(request, [
    {
      kind: 'result',
      result: result('req-1', [entry('i-a', 'Detached'), entry('i-b', 'Failed')], ['ecs-1']),
    },
  ]);

describe('wantsColour', () => {
  it.each([
    ['a terminal', true, { isTTY: true }, {}],
    ['a terminal with an empty NO_COLOR', true, { isTTY: true }, { NO_COLOR: '' }],
    ['a terminal with NO_COLOR set', false, { isTTY: true }, { NO_COLOR: '1' }],
    ['a pipe', false, {}, {}],
    ['a pipe with NO_COLOR set', false, { isTTY: false }, { NO_COLOR: '1' }],
  ])('%s: colour %s', (_, expected, stream, env) => {
    // Prepare
    const environment: Record<string, string | undefined> = env;

    // Act
    const colour = wantsColour(stream, environment);

    // Assess
    expect(colour).toBe(expected);
  });
});

describe('summary', () => {
  it('writes plain tables without colour, even when colour is forced on', () => {
    // Prepare
    const result = detachedAndFailed();

    // Act
    const text = summary(result, { colour: false });

    // Assess
    expect(text).not.toContain(ANSI_ESCAPE);
    expect(text).toContain('Detached');
    expect(text).toContain('i-b');
  });

  it('colours the tables when asked', () => {
    // Prepare
    const result = detachedAndFailed();

    // Act
    const text = summary(result, { colour: true });

    // Assess
    expect(text).toContain(ANSI_ESCAPE);
  });

  it('prints a piped run, or one under NO_COLOR, without colour', () => {
    // Prepare
    const result = detachedAndFailed();
    const piped = wantsColour({ isTTY: false }, {});
    const optedOut = wantsColour({ isTTY: true }, { NO_COLOR: '1' });

    // Act
    const texts = [summary(result, { colour: piped }), summary(result, { colour: optedOut })];

    // Assess
    expect(texts.filter((text) => text.includes(ANSI_ESCAPE))).toEqual([]);
  });
});

describe('summary of a selection', () => {
  it('adds a table of the regions searched, with what became of the key pair', () => {
    // Prepare
    const merged = mergeResults({ ...request, RegionId: '*', Target: 'Holders' }, [
      {
        kind: 'result',
        result: {
          ...result('req-1', [entry('i-a', 'Detached')], ['ecs-1']),
          Target: 'Holders',
          Regions: [
            {
              RegionId: 'cn-hangzhou',
              SelectedCount: 1,
              FailCount: 0,
              KeyPair: { Status: 'Deleted', Code: 'Deleted', Message: '' },
            },
          ],
        },
      },
    ]);

    // Act
    const text = summary(merged, { colour: false });

    // Assess
    expect(text).toContain('Key pair demo-key in *:');
    expect(text).toMatch(/cn-hangzhou\s*│\s*1\s*│\s*0\s*│\s*Deleted \(Deleted\)/);
  });
});

describe('startProgress', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const removed = (id: string) => ({ ...entry(id, 'Detached'), KeyRemoved: true });
  const notRemoved = (id: string) => ({ ...entry(id, 'Failed'), KeyRemoved: false });

  it('draws a bar per stage of the mode, moved on by each invocation that answers', () => {
    // Prepare
    const terminal = new CapturedStream(true);
    const progress = startProgress(terminal, {
      mode: 'Online',
      dryRun: false,
      instances: 4,
      invocations: 2,
    });

    // Act
    progress.answered([removed('i-1'), notRemoved('i-2')]);
    jest.advanceTimersByTime(1000);
    const afterOne = ['Invocations', 'Key removed', 'Detached'].map((label) =>
      terminal.lastDrawn(label),
    );
    progress.answered([removed('i-3'), removed('i-4')]);
    progress.stop();

    // Assess
    expect(afterOne).toEqual([
      expect.stringMatching(/\] 1\/2 answered \|/),
      expect.stringMatching(/\] 1\/4 \| 1 failed \|/),
      expect.stringMatching(/\] 1\/4 \| 0 failed \| 1 not reached \|/),
    ]);
    expect(terminal.lastDrawn('Invocations ')).toMatch(/\] 2\/2 answered \|/);
    expect(terminal.lastDrawn('Key removed from guests ')).toMatch(/\] 3\/4 \| 1 failed \|/);
    expect(terminal.lastDrawn('Detached ')).toMatch(/\] 3\/4 \| 0 failed \| 1 not reached \|/);
  });

  it('with instances the function selects, shows the time waited and no count until it answers', () => {
    // Prepare
    const terminal = new CapturedStream(true);
    const progress = startProgress(terminal, { mode: 'Reboot', dryRun: false, invocations: 1 });

    // Act
    jest.advanceTimersByTime(5000);
    const waiting = terminal.drawn().slice(-3);
    progress.answered([
      { ...entry('i-1', 'Detached'), Restart: 'Restarted' },
      { ...entry('i-2', 'Failed'), Restart: 'Failed' },
      entry('i-3', 'Failed'),
    ]);
    progress.stop();

    // Assess
    expect(waiting).toEqual([
      expect.stringMatching(/^Invocations .*\] 0\/1 answered \| 5s$/),
      expect.stringMatching(/^Detached .*\] waiting for the function's answer \| 5s$/),
      expect.stringMatching(/^Restarted .*\] waiting for the function's answer \| 5s$/),
    ]);
    expect(terminal.drawn().filter((text) => /\d+\/\d+ \| /.test(text))).toEqual([
      expect.stringMatching(/^Detached .*\] 2\/3 \| 1 failed \| 5s$/),
      expect.stringMatching(/^Restarted .*\] 1\/3 \| 1 failed \| 1 not reached \| 5s$/),
    ]);
  });

  it('says there was no answer when the only invocation got none', () => {
    // Prepare
    const terminal = new CapturedStream(true);
    const progress = startProgress(terminal, { mode: 'Detach', dryRun: true, invocations: 1 });

    // Act
    progress.stop();

    // Assess
    expect(terminal.lastDrawn('Invocations (dry run)')).toMatch(/0\/1 answered/);
    expect(terminal.lastDrawn('Detached ')).toMatch(/\] no answer \|/);
  });
});
