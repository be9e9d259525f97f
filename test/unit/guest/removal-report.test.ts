import fc from 'fast-check';
import {
  parseRemovalOutput,
  type RemovalReport,
} from '../../../functions/detach-key-pair/src/guest/removal-report';
import { loadEvent } from '../../helpers/events';
import { GuestTree, ROOT_KEYS, runRemovalScript } from '../../helpers/guest-tree';

const KEYS = loadEvent<Record<string, string>>('guest/public-keys.json');
const [TYPE, BLOB] = KEYS['ssh-ed25519'].split(' ');

const REPORT: RemovalReport = {
  version: 1,
  files: [
    { user: 'root', path: ROOT_KEYS, status: 'removed', removedCount: 2, removedLines: [1, 4] },
    { user: 'bob', path: '/home/bob/.ssh/authorized_keys', status: 'refused', reason: 'Symlink' },
  ],
  summary: { filesScanned: 1, linesRemoved: 2, filesRefused: 1, filesFailed: 0 },
};

const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('parseRemovalOutput', () => {
  it('reads the report remove-key.sh prints, Base64 as DescribeInvocations returns it', () => {
    // Prepare
    const guest = new GuestTree();
    let stdout: string;
    try {
      guest.addRootAndAlice();
      guest.write(ROOT_KEYS, `${KEYS['ssh-rsa']}\n${TYPE} ${BLOB}\n`);
      stdout = runRemovalScript('sh', guest, {
        REMOVE_KEY_TYPE: TYPE,
        REMOVE_KEY_BLOB: BLOB,
      }).stdout;
    } finally {
      guest.remove();
    }
    // Act
    const parsed = parseRemovalOutput({ output: base64(stdout) });
    // Assess
    expect(parsed).toStrictEqual({
      readable: true,
      report: {
        version: 1,
        files: [
          { user: 'root', path: ROOT_KEYS, status: 'removed', removedCount: 1, removedLines: [2] },
        ],
        summary: { filesScanned: 1, linesRemoved: 1, filesRefused: 0, filesFailed: 0 },
      },
    });
  });

  it('reads a report in plain text, after warnings the guest printed', () => {
    // Prepare
    const output = `sh: warning: something odd\n${JSON.stringify(REPORT)}\n`;
    // Act
    const parsed = parseRemovalOutput({ output, encoding: 'PlainText' });
    // Assess
    expect(parsed).toStrictEqual({ readable: true, report: REPORT });
  });

  it('reads a report of bad input', () => {
    // Prepare
    const report = {
      version: 1,
      error: { code: 'MissingKeyType', message: 'REMOVE_KEY_TYPE is empty or unset.' },
      files: [],
      summary: { filesScanned: 0, linesRemoved: 0, filesRefused: 0, filesFailed: 0 },
    };
    // Act
    const parsed = parseRemovalOutput({ output: base64(JSON.stringify(report)) });
    // Assess
    expect(parsed).toStrictEqual({ readable: true, report });
  });

  const json = JSON.stringify(REPORT);
  it.each([
    ['empty output', '', 0, 'the output is empty'],
    ['a shell error', 'sh: 1: awk: not found\n', 0, 'holds no report'],
    ['a report cut short', json.slice(0, 60), 0, 'not valid JSON'],
    ['a report Cloud Assistant dropped bytes of', json, 1200, 'cut short (1200 bytes dropped)'],
    ['another version', JSON.stringify({ ...REPORT, version: 2 }), 0, 'at version'],
    [
      'a negative count',
      JSON.stringify({ ...REPORT, summary: { ...REPORT.summary, filesScanned: -1 } }),
      0,
      'at summary.filesScanned',
    ],
    [
      'an unknown status',
      JSON.stringify({ ...REPORT, files: [{ user: 'a', path: '/p', status: 'gone' }] }),
      0,
      'at files.0.status',
    ],
    ['an extra field', JSON.stringify({ ...REPORT, extra: true }), 0, 'expected shape'],
    [
      'a count that disagrees with its lines',
      JSON.stringify({ ...REPORT, files: [{ ...REPORT.files[0], removedCount: 3 }] }),
      0,
      'lists 2 lines, not 3',
    ],
    [
      'a summary that disagrees with its files',
      JSON.stringify({ ...REPORT, summary: { ...REPORT.summary, filesRefused: 0 } }),
      0,
      'summary.filesRefused is 0, the files add up to 1',
    ],
  ])('finds %s unreadable', (_case, text, dropped, problem) => {
    // Act
    const parsed = parseRemovalOutput({ output: base64(text), dropped });
    // Assess
    expect(parsed).toStrictEqual({ readable: false, problem: expect.stringContaining(problem) });
  });

  it('never throws, whatever the output', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json().map((text) => `{"version":1,"files":${text}}`),
        ),
        fc.constantFrom('Base64' as const, 'PlainText' as const),
        (output, encoding) => {
          // Act
          const parsed = parseRemovalOutput({ output, encoding });
          // Assess
          expect(typeof parsed.readable).toBe('boolean');
        },
      ),
    );
  });
});
