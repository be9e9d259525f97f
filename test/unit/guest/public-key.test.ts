import {
  OPENSSH_KEY_TYPES,
  keyFingerprint,
  parsePublicKey,
} from '../../../functions/detach-key-pair/src/guest/public-key';
import { loadEvent } from '../../helpers/events';

const KEYS = loadEvent<Record<string, string>>('guest/public-keys.json');
const ED25519 = KEYS['ssh-ed25519'];
const [, ED25519_BLOB] = ED25519.split(' ');
const ECDSA = KEYS['ecdsa-sha2-nistp384'];

/** A blob in the SSH wire format: the type name as its first string, then `rest`. */
function wireBlob(type: string, rest = Buffer.alloc(32, 7)): string {
  const name = Buffer.from(type);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  return Buffer.concat([length, name, rest]).toString('base64');
}

describe('parsePublicKey', () => {
  it.each(Object.entries(KEYS).filter(([name]) => name !== 'ssh-ed25519-other'))(
    'reads a %s key as ssh-keygen writes it',
    (type, line) => {
      // Act
      const parsed = parsePublicKey(line);
      // Assess
      const [, blob, comment] = line.split(' ');
      expect(parsed).toStrictEqual({ ok: true, key: { type, blob, comment } });
    },
  );

  it.each(['sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com'])(
    'reads a security key type %s',
    (type) => {
      // Prepare
      const blob = wireBlob(type);
      // Act
      const parsed = parsePublicKey(`${type} ${blob}`);
      // Assess
      expect(parsed).toStrictEqual({ ok: true, key: { type, blob, comment: '' } });
    },
  );

  it('accepts tabs, several spaces, a comment with spaces, and a line end', () => {
    // Act
    const parsed = parsePublicKey(`ssh-ed25519\t  ${ED25519_BLOB} \tJane Doe's laptop \r\n`);
    // Assess
    expect(parsed).toStrictEqual({
      ok: true,
      key: { type: 'ssh-ed25519', blob: ED25519_BLOB, comment: "Jane Doe's laptop" },
    });
  });

  it.each([
    ['empty text', '', 'has the type ""'],
    ['an unknown type', `ssh-foo ${ED25519_BLOB}`, 'has the type "ssh-foo"'],
    [
      'a certificate',
      `ssh-ed25519-cert-v01@openssh.com ${wireBlob('ssh-ed25519-cert-v01@openssh.com')}`,
      'not one of',
    ],
    ['a type alone', 'ssh-ed25519', 'has no key data'],
    ['options before the key', `no-pty ${ED25519}`, 'has the type "no-pty"'],
    ['a blob with other characters', `ssh-ed25519 ${ED25519_BLOB}$`, 'not canonical Base64'],
    [
      'a blob without its padding',
      ECDSA.split(' ').slice(0, 2).join(' ').replace(/=+$/, ''),
      'not canonical',
    ],
    ['a blob of another type', `ssh-rsa ${ED25519_BLOB}`, 'another type than ssh-rsa'],
    [
      'a blob cut short',
      `ssh-ed25519 ${Buffer.from([0, 0, 0, 99, 1]).toString('base64')}`,
      'another type',
    ],
    ['a blob shorter than a length', 'ssh-ed25519 AAAA', 'another type'],
    ['two lines', `${ED25519}\n${ED25519}`, 'more than one line'],
    ['a huge text', `ssh-rsa ${'A'.repeat(20_000)}`, 'longer than'],
  ])('refuses %s', (_case, text, problem) => {
    // Act
    const parsed = parsePublicKey(text);
    // Assess
    expect(parsed).toStrictEqual({ ok: false, problem: expect.stringContaining(problem) });
  });

  it('knows the OpenSSH key types and no certificate', () => {
    // Assess
    expect(OPENSSH_KEY_TYPES.filter((type) => type.includes('cert'))).toStrictEqual([]);
    expect(OPENSSH_KEY_TYPES).toContain('ssh-ed25519');
  });
});

describe('keyFingerprint', () => {
  it('is the SHA256 fingerprint ssh-keygen -l prints', () => {
    // Prepare
    const parsed = parsePublicKey(ED25519);
    if (!parsed.ok) throw new Error(parsed.problem);
    // Act
    const fingerprint = keyFingerprint(parsed.key);
    // Assess
    expect(fingerprint).toBe('SHA256:hk9sory1DTg7k89P6Wal7MOv0Jqk9dT/LMmHY3bYGTk');
  });
});
