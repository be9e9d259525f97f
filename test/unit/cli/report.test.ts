import { mergeResults } from '../../../cli/result';
import { entry, request, result } from './results';

// cli-table3 colours through @colors/colors, which reads FORCE_COLOR once, when it loads: forced
// on, only the CLI's own choice can keep escape codes out of a table.
process.env.FORCE_COLOR = '1';
const { summary, wantsColour } =
  jest.requireActual<typeof import('../../../cli/report')>('../../../cli/report');

const ANSI_ESCAPE = '\u001b[';

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
