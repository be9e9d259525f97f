import { readFileSync } from 'node:fs';
import {
  MAX_COMMAND_CONTENT_BASE64_BYTES,
  buildRemovalCommand,
  fitsCommandContentLimit,
  removalScriptFor,
} from '../../../functions/detach-key-pair/src/guest/removal-command';
import {
  parsePublicKey,
  type PublicKey,
} from '../../../functions/detach-key-pair/src/guest/public-key';
import { loadEvent } from '../../helpers/events';
import {
  GuestTree,
  REMOVAL_SCRIPT_PATH,
  ROOT_KEYS,
  SHELLS,
  runRemovalScript,
} from '../../helpers/guest-tree';

const SCRIPT = readFileSync(REMOVAL_SCRIPT_PATH, 'utf8');
const KEYS = loadEvent<Record<string, string>>('guest/public-keys.json');

function keyOf(line: string): PublicKey {
  const parsed = parsePublicKey(line);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.key;
}

const KEY = keyOf(KEYS['ssh-ed25519']);

describe('removalScriptFor', () => {
  it('sets the key variables right after the #! line and keeps the rest of the script', () => {
    // Act
    const content = removalScriptFor(KEY, SCRIPT);
    // Assess
    const [shebang, assignments, ...rest] = content.split('\n');
    expect(shebang).toBe('#!/bin/sh');
    expect(assignments).toBe(`REMOVE_KEY_TYPE='ssh-ed25519' REMOVE_KEY_BLOB='${KEY.blob}'`);
    expect([shebang, ...rest].join('\n')).toBe(SCRIPT);
  });

  it('puts the variables first in a script without a #! line', () => {
    // Act
    const content = removalScriptFor(KEY, 'echo hi\n');
    // Assess
    expect(content).toBe(`REMOVE_KEY_TYPE='ssh-ed25519' REMOVE_KEY_BLOB='${KEY.blob}'\necho hi\n`);
  });
});

describe('buildRemovalCommand', () => {
  it.each(SHELLS)('builds a command that removes the key when %s runs it', (shell) => {
    // Prepare
    const guest = new GuestTree();
    try {
      guest.addRootAndAlice();
      guest.write(ROOT_KEYS, `${KEYS['ssh-ed25519']}\n${KEYS['ssh-rsa']}\n`);
      const command = buildRemovalCommand(KEY, SCRIPT);
      // Act
      const run = runRemovalScript(
        shell,
        guest,
        {},
        {
          content: Buffer.from(command.commandContent, 'base64').toString('utf8'),
        },
      );
      // Assess
      expect(command).toMatchObject({ type: 'RunShellScript', contentEncoding: 'Base64' });
      expect(run.status).toBe(0);
      expect(guest.read(ROOT_KEYS)).toBe(`${KEYS['ssh-rsa']}\n`);
    } finally {
      guest.remove();
    }
  });

  it('stays within the RunCommand limit with the largest RSA key OpenSSH makes', () => {
    // Prepare: a 16384-bit modulus is 2049 bytes in the SSH wire format.
    const name = Buffer.from('ssh-rsa');
    const wire = Buffer.concat([
      Buffer.from([0, 0, 0, name.length]),
      name,
      Buffer.from([0, 0, 0, 3, 1, 0, 1, 0, 0, 0x08, 0x01]),
      Buffer.alloc(2049, 0x5a),
    ]);
    const key = keyOf(`ssh-rsa ${wire.toString('base64')} big`);
    // Act
    const command = buildRemovalCommand(key, SCRIPT);
    // Assess
    expect(fitsCommandContentLimit(command.commandContent)).toBe(true);
  });
});

describe('fitsCommandContentLimit', () => {
  it.each([
    [MAX_COMMAND_CONTENT_BASE64_BYTES, true],
    [MAX_COMMAND_CONTENT_BASE64_BYTES + 1, false],
  ])('says whether %i Base64 bytes fit', (size, fits) => {
    // Act
    const result = fitsCommandContentLimit('A'.repeat(size));
    // Assess
    expect(result).toBe(fits);
  });
});
