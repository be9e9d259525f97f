import { createHash } from 'node:crypto';

/**
 * The plain public key types OpenSSH reads in authorized_keys (docs/guest-script.md names the
 * source). Certificates are left out: ECS key pairs are plain keys.
 */
export const OPENSSH_KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'ssh-dss',
] as const;

export type OpenSshKeyType = (typeof OPENSSH_KEY_TYPES)[number];

/** A public key as one line of authorized_keys holds it: `type blob [comment]`. */
export interface PublicKey {
  type: OpenSshKeyType;
  /** The key material, Base64 as written in the line. */
  blob: string;
  /** Free text after the blob; never used to match the key. */
  comment: string;
}

/** A parsed key, or what is wrong with the text: `problem` completes "The public key …". */
export type PublicKeyParse = { ok: true; key: PublicKey } | { ok: false; problem: string };

/** Far above the largest key OpenSSH makes (RSA 16384 bits: about 2.8 KB of Base64). */
const MAX_PUBLIC_KEY_LENGTH = 16 * 1024;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const KEY_TYPES: ReadonlySet<string> = new Set(OPENSSH_KEY_TYPES);

function isKeyType(type: string): type is OpenSshKeyType {
  return KEY_TYPES.has(type);
}

/**
 * Parses an OpenSSH public key as ECS returns it (DescribeKeyPairs with IncludePublicKey). The
 * blob must be canonical Base64 whose first field, the key's own type name, is the type written
 * before it, as sshd requires of a line it accepts.
 */
export function parsePublicKey(text: string): PublicKeyParse {
  if (text.length > MAX_PUBLIC_KEY_LENGTH) {
    return { ok: false, problem: `is longer than ${MAX_PUBLIC_KEY_LENGTH} characters` };
  }
  const line = text.trim();
  if (/[\r\n]/.test(line)) return { ok: false, problem: 'is more than one line' };
  // Fields are split on spaces and tabs only, as sshd splits an authorized_keys line.
  const fields = /^([^ \t]*)(?:[ \t]+([^ \t]+))?(?:[ \t]+(.*))?$/.exec(line);
  const [type, blob, comment] = [fields?.[1] ?? '', fields?.[2] ?? '', fields?.[3] ?? ''];
  if (!isKeyType(type)) {
    return {
      ok: false,
      problem: `has the type "${type.slice(0, 64)}", not one of ${OPENSSH_KEY_TYPES.join(', ')}`,
    };
  }
  if (blob === '') return { ok: false, problem: 'has no key data after its type' };
  const decoded = Buffer.from(blob, 'base64');
  if (!BASE64.test(blob) || decoded.toString('base64') !== blob) {
    return { ok: false, problem: 'has key data that is not canonical Base64' };
  }
  const declaredType = readSshString(decoded);
  if (declaredType !== type) {
    return { ok: false, problem: `has key data for another type than ${type}` };
  }
  return { ok: true, key: { type, blob, comment } };
}

/** The first SSH wire-format string (a 32-bit length, then bytes), or undefined if there is none. */
function readSshString(data: Buffer): string | undefined {
  if (data.length < 4) return undefined;
  const length = data.readUInt32BE(0);
  if (length > data.length - 4) return undefined;
  return data.subarray(4, 4 + length).toString('latin1');
}

/** The key's SHA256 fingerprint as ssh-keygen -l prints it: safe to log, unlike the key itself. */
export function keyFingerprint(key: PublicKey): string {
  const digest = createHash('sha256').update(Buffer.from(key.blob, 'base64')).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}
