import { spawnSync } from 'node:child_process';
import {
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEvent } from '../../helpers/events';
import {
  ALICE_KEYS,
  GuestTree,
  ROOT_KEYS,
  SHELLS,
  runRemovalScript,
  type RunOptions,
  type Shell,
} from '../../helpers/guest-tree';

const KEYS = loadEvent<Record<string, string>>('guest/public-keys.json');
const [TYPE, BLOB] = KEYS['ssh-ed25519'].split(' ');
const KEY = `${TYPE} ${BLOB}`;
const OTHER = KEYS['ssh-ed25519-other'];
const RSA = KEYS['ssh-rsa'];
const INPUT = { REMOVE_KEY_TYPE: TYPE, REMOVE_KEY_BLOB: BLOB };

interface FileEntry {
  user: string;
  path: string;
  status: string;
  removedCount?: number;
  removedLines?: number[];
  reason?: string;
}

interface Report {
  version: number;
  error?: { code: string; message: string };
  files: FileEntry[];
  summary: {
    filesScanned: number;
    linesRemoved: number;
    filesRefused: number;
    filesFailed: number;
  };
}

/** Runs the script and checks it printed one JSON document and nothing on stderr. */
function run(shell: Shell, guest: GuestTree, input = INPUT, options?: RunOptions) {
  const result = runRemovalScript(shell, guest, input, options);
  expect(result.stderr).toBe('');
  expect(result.stdout.endsWith('}\n')).toBe(true);
  expect(result.stdout.indexOf('\n')).toBe(result.stdout.length - 1);
  return { status: result.status, report: JSON.parse(result.stdout) as Report };
}

describe.each(SHELLS)('remove-key.sh under %s', (shell) => {
  let guest: GuestTree;

  beforeEach(() => {
    guest = new GuestTree();
  });

  afterEach(() => {
    guest.remove();
  });

  it('removes every line holding the key and keeps every other byte', () => {
    // Prepare
    guest.addRootAndAlice();
    const lines = [
      `${OTHER}\n`,
      `${KEY} me@laptop\n`,
      `from="10.0.0.1,10.0.0.2",command="echo a b",no-pty ${KEY} c\n`,
      `\t${TYPE}\t\t${BLOB}\n`,
      '# a comment\n',
      '\n',
      `command="echo \\"a b\\" c",no-pty ${KEY}\n`,
      `${RSA}\n`,
      `   ${TYPE}   ${BLOB}   a comment with ${BLOB}`,
    ];
    guest.write(ROOT_KEYS, lines.join(''));
    // Act
    const { status, report } = run(shell, guest);
    // Assess
    expect(status).toBe(0);
    expect(guest.read(ROOT_KEYS)).toBe([lines[0], lines[4], lines[5], lines[7]].join(''));
    expect(report).toStrictEqual({
      version: 1,
      files: [
        {
          user: 'root',
          path: ROOT_KEYS,
          status: 'removed',
          removedCount: 5,
          removedLines: [2, 3, 4, 7, 9],
        },
      ],
      summary: { filesScanned: 1, linesRemoved: 5, filesRefused: 0, filesFailed: 0 },
    });
  });

  it.each([
    ['CRLF line ends on the lines it keeps', `${OTHER}\r\n${KEY}\r\n${RSA}\r\n`, 2],
    ['CRLF and no final newline', `${OTHER}\r\n${RSA}\r\n${KEY} x\r`, 3],
    ['a missing final newline', `${OTHER}\n${KEY}\n${RSA}`, 2],
    ['a missing final newline after a removed last line', `${OTHER}\n${KEY}`, 2],
  ])('keeps %s', (_case, content, removedLine) => {
    // Prepare
    guest.addRootAndAlice();
    guest.write(ROOT_KEYS, content);
    const expected = content
      .split(/(?<=\n)/)
      .filter((_line, index) => index !== removedLine - 1)
      .join('');
    // Act
    const { status, report } = run(shell, guest);
    // Assess
    expect(status).toBe(0);
    expect(guest.read(ROOT_KEYS)).toBe(expected);
    expect(report.files[0].removedLines).toStrictEqual([removedLine]);
  });

  it('keeps the owner, group and mode, and leaves no temporary file', () => {
    // Prepare
    guest.addRootAndAlice();
    guest.write(ALICE_KEYS, `${KEY}\n${OTHER}\n`, { uid: 1000, gid: 1000, mode: 0o640 });
    const before = lstatSync(guest.hostPath(ALICE_KEYS));
    // Act
    const { status } = run(shell, guest);
    // Assess
    const after = lstatSync(guest.hostPath(ALICE_KEYS));
    expect(status).toBe(0);
    expect(guest.read(ALICE_KEYS)).toBe(`${OTHER}\n`);
    expect(after.ino).not.toBe(before.ino);
    expect([after.uid, after.gid, after.mode]).toStrictEqual([1000, 1000, before.mode]);
    expect(readdirSync(guest.hostPath('/home/alice/.ssh'))).toStrictEqual(['authorized_keys']);
  });

  it('changes nothing on a second run, nor in a file without the key', () => {
    // Prepare
    guest.addRootAndAlice();
    guest.write(ROOT_KEYS, `${KEY}\n${OTHER}\n`);
    guest.write(ALICE_KEYS, `${OTHER}\n`, { uid: 1000, gid: 1000 });
    const first = run(shell, guest);
    const afterFirst = guest.snapshot();
    // Act
    const second = run(shell, guest);
    // Assess
    expect(first.report.files.map((file) => file.path)).toStrictEqual([ROOT_KEYS]);
    expect(second.status).toBe(0);
    expect(second.report.files).toStrictEqual([]);
    expect(second.report.summary).toStrictEqual({
      filesScanned: 2,
      linesRemoved: 0,
      filesRefused: 0,
      filesFailed: 0,
    });
    expect(guest.snapshot()).toStrictEqual(afterFirst);
  });

  it.each([
    ['a longer blob that starts with the key', `${TYPE} ${BLOB}AAAA x`],
    ['a blob the key starts with', `${TYPE} ${BLOB.slice(0, -4)} x`],
    ['the same blob under another type', `ssh-rsa ${BLOB} x`],
    ['the key in the comment only', `${RSA} ${KEY}`],
    ['the key in a quoted option value only', `command="echo ${KEY}" ${RSA}`],
    ['the key in a commented-out line', `#${KEY} old`],
    ['the key in an indented commented-out line', `  # ${KEY} old`],
    ['an unterminated quote before the key', `command="echo ${KEY} x`],
  ])('keeps a line with %s', (_case, line) => {
    // Prepare
    guest.addRootAndAlice();
    guest.write(ROOT_KEYS, `${line}\n`);
    const before = guest.snapshot();
    // Act
    const { status, report } = run(shell, guest);
    // Assess
    expect(status).toBe(0);
    expect(report.summary.linesRemoved).toBe(0);
    expect(guest.snapshot()).toStrictEqual(before);
  });

  describe('refuses an unsafe file, reports it and still cleans the others', () => {
    const aliceHost = (path = '') => guest.hostPath(`/home/alice${path}`);
    const replaceAliceKeys = () => rmSync(guest.hostPath(ALICE_KEYS));
    /** Everything but root's .ssh, which the run does change. */
    const untouched = () =>
      Object.fromEntries(
        Object.entries(guest.snapshot()).filter(([path]) => !path.startsWith('root/')),
      );
    it.each<[string, () => void, string]>([
      [
        'a symbolic link',
        () => {
          replaceAliceKeys();
          guest.write('/etc/target', `${KEY}\n`);
          symlinkSync('../../../etc/target', guest.hostPath(ALICE_KEYS));
        },
        'Symlink',
      ],
      [
        'a symbolic link to a directory on its path inside the home',
        () => {
          renameSync(aliceHost('/.ssh'), aliceHost('/real-ssh'));
          symlinkSync('real-ssh', aliceHost('/.ssh'));
        },
        'SymlinkedDirectory',
      ],
      [
        'a directory',
        () => {
          replaceAliceKeys();
          guest.mkdir(ALICE_KEYS, { uid: 1000, gid: 1000, mode: 0o700 });
        },
        'NotRegularFile',
      ],
      [
        'a named pipe',
        () => {
          replaceAliceKeys();
          expect(spawnSync('mkfifo', [guest.hostPath(ALICE_KEYS)]).status).toBe(0);
        },
        'NotRegularFile',
      ],
      [
        'a file in a group-writable directory',
        () => guest.mkdir('/home/alice/.ssh', { uid: 1000, gid: 1000, mode: 0o770 }),
        'UnsafeDirectory',
      ],
      [
        'a file under a world-writable home',
        () => guest.mkdir('/home/alice', { uid: 1000, gid: 1000, mode: 0o1777 }),
        'UnsafeDirectory',
      ],
      [
        'a file in a directory another user owns',
        () => guest.mkdir('/home/alice/.ssh', { uid: 1001, gid: 1001, mode: 0o700 }),
        'UnsafeDirectory',
      ],
      [
        'a file with another hard link',
        () => linkSync(guest.hostPath(ALICE_KEYS), aliceHost('/keys-copy')),
        'HardLinked',
      ],
    ])('%s', (_case, makeUnsafe, reason) => {
      // Prepare
      guest.addRootAndAlice();
      guest.write(ALICE_KEYS, `${KEY}\n`, { uid: 1000, gid: 1000 });
      makeUnsafe();
      guest.write(ROOT_KEYS, `${KEY}\n${OTHER}\n`);
      const before = untouched();
      // Act
      const { status, report } = run(shell, guest);
      // Assess
      expect(status).toBe(3);
      expect(untouched()).toStrictEqual(before);
      expect(guest.read(ROOT_KEYS)).toBe(`${OTHER}\n`);
      expect(report.files).toContainEqual({
        user: 'alice',
        path: ALICE_KEYS,
        status: 'refused',
        reason,
      });
      expect(report.summary.filesRefused).toBe(1);
    });
  });

  describe('covers the files sshd_config names', () => {
    it('expands %h, %u, %U and %%, and takes relative paths from the home', () => {
      // Prepare
      guest.addRootAndAlice();
      guest.write(
        '/etc/ssh/sshd_config',
        '# keys\nPort 22\r\nauthorizedkeysfile\t/etc/ssh/100%%/%u %h/.ssh/extra_%U .ssh/authorized_keys\n',
      );
      for (const path of [
        '/etc/ssh/100%/alice',
        '/etc/ssh/100%/root',
        '/home/alice/.ssh/extra_1000',
        ALICE_KEYS,
      ]) {
        guest.write(path, `${OTHER}\n${KEY}\n`);
      }
      guest.write('/home/alice/.ssh/authorized_keys2', `${KEY}\n`);
      // Act
      const { status, report } = run(shell, guest);
      // Assess
      expect(status).toBe(0);
      expect(report.files.map((file) => [file.user, file.path])).toStrictEqual([
        ['root', '/etc/ssh/100%/root'],
        ['alice', '/etc/ssh/100%/alice'],
        ['alice', '/home/alice/.ssh/extra_1000'],
        ['alice', ALICE_KEYS],
        ['alice', '/home/alice/.ssh/authorized_keys2'],
      ]);
      // Not read by sshd while AuthorizedKeysFile names other files, but cleaned all the same: it
      // would be read again once the setting went back to its default.
      expect(guest.read('/home/alice/.ssh/authorized_keys2')).toBe('');
    });

    it('reads Include files, Match blocks and quoted paths, and handles a file named twice once', () => {
      // Prepare
      guest.addRootAndAlice();
      guest.write(
        '/etc/ssh/sshd_config',
        [
          'Include sshd_config.d/*.conf',
          'Match User alice',
          '  AuthorizedKeysFile = .ssh/alice_keys %h/.ssh/fleet_keys',
          '',
        ].join('\n'),
      );
      guest.write(
        '/etc/ssh/sshd_config.d/10-keys.conf',
        'AuthorizedKeysFile "/etc/ssh/my keys/%u" .ssh/fleet_keys\n',
      );
      for (const path of [
        '/home/alice/.ssh/alice_keys',
        '/home/alice/.ssh/fleet_keys',
        '/etc/ssh/my keys/root',
      ]) {
        guest.write(path, `${KEY}\n`);
      }
      // Act
      const { status, report } = run(shell, guest);
      // Assess
      expect(status).toBe(0);
      expect(report.files.map((file) => file.path).sort()).toStrictEqual([
        '/etc/ssh/my keys/root',
        '/home/alice/.ssh/alice_keys',
        '/home/alice/.ssh/fleet_keys',
      ]);
      expect(report.summary.filesScanned).toBe(3);
    });

    it('keeps the default files when the setting appears only in a Match block', () => {
      // Prepare
      guest.addRootAndAlice();
      guest.write('/etc/ssh/sshd_config', 'Match Group admins\n AuthorizedKeysFile .ssh/admin\n');
      guest.write('/root/.ssh/admin', `${KEY}\n`);
      guest.write('/root/.ssh/authorized_keys2', `${KEY}\n`);
      // Act
      const { status, report } = run(shell, guest);
      // Assess
      expect(status).toBe(0);
      expect(report.files.map((file) => file.path).sort()).toStrictEqual([
        '/root/.ssh/admin',
        '/root/.ssh/authorized_keys2',
      ]);
    });

    it('still cleans the default files when the setting is none', () => {
      // Prepare
      guest.addRootAndAlice();
      guest.write('/etc/ssh/sshd_config', 'AuthorizedKeysFile none\n');
      guest.write(ROOT_KEYS, `${KEY}\n`);
      // Act
      const { status, report } = run(shell, guest);
      // Assess
      expect(status).toBe(0);
      expect(report.files.map((file) => file.path)).toStrictEqual([ROOT_KEYS]);
      expect(guest.read(ROOT_KEYS)).toBe('');
    });

    it('refuses a token sshd does not know, and still cleans the other files', () => {
      // Prepare
      guest.addRootAndAlice();
      guest.write('/etc/ssh/sshd_config', 'AuthorizedKeysFile /etc/keys/%x .ssh/authorized_keys\n');
      guest.write(ROOT_KEYS, `${KEY}\n`);
      // Act
      const { status, report } = run(shell, guest);
      // Assess
      expect(status).toBe(3);
      expect(report.files).toContainEqual({
        user: 'root',
        path: '/etc/keys/%x',
        status: 'refused',
        reason: 'UnsupportedToken',
      });
      expect(guest.read(ROOT_KEYS)).toBe('');
    });
  });

  it('skips users without a home and malformed passwd lines', () => {
    // Prepare
    guest.write(
      '/etc/passwd',
      [
        'root:x:0:0:root:/root:/bin/bash\r',
        'ghost:x:1001:1001::/home/ghost:/bin/sh',
        'garbage',
        '+@netgroup::::::',
        'extra:x:1002:1002::/home/alice:/bin/sh:more',
        'nouid:x:abc:1002::/home/alice:/bin/sh',
        'relative:x:1003:1003::home/alice:/bin/sh',
        ':x:1004:1004::/home/alice:/bin/sh',
        'alice:x:1000:1000::/home/alice/:/bin/sh',
      ].join('\n'),
    );
    guest.addHome('/root', 0);
    guest.addHome('/home/alice', 1000);
    guest.write(ROOT_KEYS, `${KEY}\n`);
    guest.write(ALICE_KEYS, `${KEY}\n`, { uid: 1000, gid: 1000 });
    // Act
    const { status, report } = run(shell, guest);
    // Assess
    expect(status).toBe(0);
    expect(report.files.map((file) => [file.user, file.path])).toStrictEqual([
      ['root', ROOT_KEYS],
      ['alice', ALICE_KEYS],
    ]);
    expect(report.summary).toStrictEqual({
      filesScanned: 2,
      linesRemoved: 2,
      filesRefused: 0,
      filesFailed: 0,
    });
  });

  it('escapes any path correctly in its JSON', () => {
    // Prepare
    const home = '/home/e "q" \\ \t é';
    guest.write(
      '/etc/passwd',
      Buffer.concat([
        Buffer.from(`eve:x:1000:1000::${home}`),
        Buffer.from([0xff]),
        Buffer.from(':/bin/sh\n'),
      ]),
    );
    const hostHome = Buffer.concat([Buffer.from(guest.root + home), Buffer.from([0xff])]);
    mkdirSync(Buffer.concat([hostHome, Buffer.from('/.ssh')]), { recursive: true, mode: 0o700 });
    writeFileSync(Buffer.concat([hostHome, Buffer.from('/.ssh/authorized_keys')]), `${KEY}\n`);
    // Act
    const { status, report } = run(shell, guest);
    // Assess
    expect(status).toBe(0);
    expect(report.files[0].path).toBe(`${home}\ufffd/.ssh/authorized_keys`);
  });

  it('reports a file it could not rewrite, and leaves it as it was', () => {
    // Prepare
    guest.addRootAndAlice();
    guest.write(ROOT_KEYS, `${KEY}\n`);
    const before = guest.snapshot();
    const tools = mkdtempSync(join(tmpdir(), 'failing-tools-'));
    writeFileSync(join(tools, 'mktemp'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    try {
      // Act
      const { status, report } = run(shell, guest, INPUT, { pathPrefix: tools });
      // Assess
      expect(status).toBe(4);
      expect(report.files).toStrictEqual([
        { user: 'root', path: ROOT_KEYS, status: 'failed', reason: 'WriteFailed' },
      ]);
      expect(guest.snapshot()).toStrictEqual(before);
    } finally {
      rmSync(tools, { recursive: true, force: true });
    }
  });

  it('reports as failed the files in a home it cannot search, run as another user than root', () => {
    // Prepare
    guest.addRootAndAlice();
    guest.write(ROOT_KEYS, `${KEY}\n`);
    guest.write(ALICE_KEYS, `${KEY}\n${OTHER}\n`, { uid: 1000, gid: 1000 });
    // Act
    const { status, report } = run(shell, guest, INPUT, { uid: 1000 });
    // Assess
    expect(status).toBe(4);
    expect(report.files).toStrictEqual([
      { user: 'root', path: ROOT_KEYS, status: 'failed', reason: 'Unsearchable' },
      { user: 'root', path: `${ROOT_KEYS}2`, status: 'failed', reason: 'Unsearchable' },
      { user: 'alice', path: ALICE_KEYS, status: 'removed', removedCount: 1, removedLines: [1] },
    ]);
    expect(guest.read(ROOT_KEYS)).toBe(`${KEY}\n`);
    expect(guest.read(ALICE_KEYS)).toBe(`${OTHER}\n`);
  });

  describe('bad input', () => {
    it.each([
      ['no key type', { REMOVE_KEY_BLOB: BLOB }, 'MissingKeyType'],
      ['an empty key blob', { REMOVE_KEY_TYPE: TYPE, REMOVE_KEY_BLOB: '' }, 'MissingKeyBlob'],
      ['a key type with a space', { ...INPUT, REMOVE_KEY_TYPE: 'ssh-ed25519 x' }, 'InvalidKeyType'],
      [
        'a blob that is not Base64',
        { ...INPUT, REMOVE_KEY_BLOB: `${BLOB}$(id)` },
        'InvalidKeyBlob',
      ],
    ])('exits 2 on %s and touches nothing', (_case, input, code) => {
      // Prepare
      guest.addRootAndAlice();
      guest.write(ROOT_KEYS, `${KEY}\n`);
      const before = guest.snapshot();
      // Act
      const { status, report } = run(shell, guest, input as typeof INPUT);
      // Assess
      expect(status).toBe(2);
      expect(report.error?.code).toBe(code);
      expect(report.files).toStrictEqual([]);
      expect(guest.snapshot()).toStrictEqual(before);
    });

    it('exits 2 when GUEST_ROOT is not a directory', () => {
      // Prepare
      rmSync(guest.root, { recursive: true });
      writeFileSync(guest.root, '');
      // Act
      const { status, report } = run(shell, guest);
      // Assess
      expect(status).toBe(2);
      expect(report.error?.code).toBe('InvalidGuestRoot');
    });

    it('exits 5 when /etc/passwd is missing', () => {
      // Act
      const { status, report } = run(shell, guest);
      // Assess
      expect(status).toBe(5);
      expect(report.error?.code).toBe('PasswdUnreadable');
    });
  });
});
