/**
 * The access keys the emulator knows: long-term keys and STS keys (with a security token and an
 * expiry), each carrying the RAM policy that authorizes it.
 */
import { randomBytes } from 'node:crypto';
import { compilePolicy, type CompiledPolicy, type RamPolicy } from './ram';
import type { AccessCredentials } from '../../functions/detach-key-pair/src/ecs/port';

export interface IssueCredentialsOptions {
  /** Issue STS credentials (`STS.` key id, a security token, an expiry). */
  sts?: boolean;
  /** STS lifetime; negative gives credentials that are already expired. Default 3600. */
  ttlSeconds?: number;
  /** RAM policy document; none means allow everything. */
  policy?: RamPolicy;
  /** Fixed key id and secret instead of random ones, e.g. for a reproducible demo. */
  accessKeyId?: string;
  accessKeySecret?: string;
}

export interface IssuedCredentials extends AccessCredentials {
  /** ISO 8601, as STS reports it. */
  expiration?: string;
}

export interface KnownCredential extends AccessCredentials {
  expiresAt?: number;
  policy: CompiledPolicy;
}

const ALLOW_ALL: CompiledPolicy = compilePolicy({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});

/** Alphanumeric, like real key ids and secrets. */
function token(bytes: number): string {
  return randomBytes(bytes)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '');
}

export interface CredentialStore {
  issue(options?: IssueCredentialsOptions): IssuedCredentials;
  find(accessKeyId: string): KnownCredential | undefined;
}

export function createCredentialStore(): CredentialStore {
  const known = new Map<string, KnownCredential>();
  return {
    issue(options = {}) {
      const sts = options.sts ?? false;
      const accessKeyId = options.accessKeyId ?? `${sts ? 'STS.' : 'LTAI'}${token(15)}`;
      const credential: KnownCredential = {
        accessKeyId,
        accessKeySecret: options.accessKeySecret ?? token(22),
        policy: options.policy ? compilePolicy(options.policy) : ALLOW_ALL,
      };
      if (sts) {
        credential.securityToken = `CAIS${token(96)}`;
        credential.expiresAt = Date.now() + (options.ttlSeconds ?? 3600) * 1000;
      }
      known.set(accessKeyId, credential);
      return {
        accessKeyId,
        accessKeySecret: credential.accessKeySecret,
        ...(credential.securityToken && {
          securityToken: credential.securityToken,
          expiration: new Date(credential.expiresAt ?? 0).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        }),
      };
    },
    find: (accessKeyId) => known.get(accessKeyId),
  };
}
