/**
 * SSH key material as ECS holds it: an OpenSSH public key line (`ssh-ed25519 AAAA… comment`), its
 * fingerprint (MD5 of the key blob, colon-separated hex, the RFC 4716 form ECS answers), and, for
 * CreateKeyPair only, the private key as unencrypted PKCS#8 PEM. Keys are generated with
 * node:crypto; public keys sent to ImportKeyPair are parsed and checked, never trusted.
 */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';

export type KeyType = 'rsa' | 'ed25519';

export interface PublicKeyMaterial {
  /** `<type> <base64 blob> <comment>`, as it appears in authorized_keys. */
  publicKey: string;
  fingerPrint: string;
}

export interface GeneratedKeyMaterial extends PublicKeyMaterial {
  privateKeyPem: string;
}

/** Key types ImportKeyPair accepts (docs/emulator.md, "Key pairs"). */
const IMPORTABLE_TYPES = new Set([
  'ssh-rsa',
  'ssh-dss',
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
]);

/** An SSH wire-format string: a 4-byte big-endian length, then the bytes. */
function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** An SSH mpint: unsigned big-endian, with a leading zero byte when the top bit is set. */
function sshMpint(unsigned: Buffer): Buffer {
  return sshString(unsigned[0] & 0x80 ? Buffer.concat([Buffer.alloc(1), unsigned]) : unsigned);
}

function fingerPrintOf(blob: Buffer): string {
  return createHash('md5').update(blob).digest('hex').match(/../g)?.join(':') ?? '';
}

function openSshBlob(type: KeyType, publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  const field = (value: string | undefined): Buffer => Buffer.from(value ?? '', 'base64url');
  if (type === 'ed25519') {
    return Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(field(jwk.x))]);
  }
  return Buffer.concat([
    sshString(Buffer.from('ssh-rsa')),
    sshMpint(field(jwk.e)),
    sshMpint(field(jwk.n)),
  ]);
}

/** A fresh key pair; RSA is 2048 bits, what CreateKeyPair makes. */
export function generateKeyMaterial(type: KeyType, comment: string): GeneratedKeyMaterial {
  const { publicKey, privateKey } =
    type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const blob = openSshBlob(type, publicKey);
  const keyType = type === 'ed25519' ? 'ssh-ed25519' : 'ssh-rsa';
  return {
    publicKey: `${keyType} ${blob.toString('base64')} ${comment}`,
    fingerPrint: fingerPrintOf(blob),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

/** Reads the SSH strings a key blob is made of; undefined when it is not exactly that. */
function sshStrings(blob: Buffer): Buffer[] | undefined {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < blob.length) {
    if (offset + 4 > blob.length) return undefined;
    const length = blob.readUInt32BE(offset);
    offset += 4;
    if (offset + length > blob.length) return undefined;
    parts.push(blob.subarray(offset, offset + length));
    offset += length;
  }
  return parts;
}

interface ParsedPublicKey {
  type: string;
  blob: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The type and blob of an OpenSSH public key line (`type base64 [comment]`), or undefined when
 * it is not one of the importable types or its blob does not hold what its type says.
 */
function parsePublicKey(text: string): ParsedPublicKey | undefined {
  const [type, encoded] = text.trim().split(/\s+/);
  if (!type || !encoded || !IMPORTABLE_TYPES.has(type) || !BASE64.test(encoded)) return undefined;
  const blob = Buffer.from(encoded, 'base64');
  const parts = sshStrings(blob);
  if (!parts || parts[0]?.toString('latin1') !== type) return undefined;
  const fields: Record<string, number> = { 'ssh-rsa': 3, 'ssh-dss': 5, 'ssh-ed25519': 2 };
  const expected = fields[type] ?? 3;
  if (parts.length !== expected || parts.slice(1).some((part) => part.length === 0)) {
    return undefined;
  }
  if (type === 'ssh-ed25519' && parts[1].length !== 32) return undefined;
  return { type, blob };
}

/** What ECS stores for an imported public key: the line as given (trimmed) and its fingerprint. */
export function publicKeyMaterial(text: string): PublicKeyMaterial | undefined {
  const parsed = parsePublicKey(text);
  return parsed && { publicKey: text.trim(), fingerPrint: fingerPrintOf(parsed.blob) };
}
