/**
 * Who may call the function, and the two signatures FC checks before a handler runs: the FC 2.0
 * API's `Authorization: FC <id>:<signature>` (what @alicloud/fc2 sends) and ACS3-HMAC-SHA256
 * (HTTP triggers with `authType: function`, and the FC 3.0 API). Which headers each must sign:
 * docs/emulator.md (The local FC runtime's signature rules).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  API_SIGNED_HEADERS,
  isAcs3SignatureValid,
  missingSignedHeaders,
  parseAcs3Authorization,
  type ReceivedRequest,
} from '../auth/acs3';
import { createNonceRegistry, type NonceRegistry } from '../auth/nonces';
import type { AccessCredentials } from '../../functions/detach-key-pair/src/ecs/port';

export interface AuthFailure {
  status: number;
  code: string;
  message: string;
}

/** The FC 3.0 API is an OpenAPI gateway: the SDK's full set of signed headers. */
export const FC_API_SIGNED_HEADERS = API_SIGNED_HEADERS;

/**
 * FC documents only `x-acs-date` for a signed HTTP-trigger call, and `x-acs-security-token` for
 * STS callers (checked with the token); a nonce and a body hash are honoured when sent.
 */
export const TRIGGER_SIGNED_HEADERS = ['x-acs-date'];

/** FC's allowed clock skew for signed requests. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** A fresh STS-style credential for local callers: random, so no real key is ever needed. */
export function generateCallerCredential(): AccessCredentials {
  const token = (bytes: number): string => randomBytes(bytes).toString('base64url');
  return {
    accessKeyId: `STS.local${token(12)}`,
    accessKeySecret: token(24),
    securityToken: `CAISlocal${token(48)}`,
  };
}

const single = (headers: Record<string, string | string[] | undefined>, name: string): string => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
};

const safeEqual = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

function skewFailure(dateHeader: string, name: string): AuthFailure | undefined {
  const time = Date.parse(dateHeader);
  if (Number.isNaN(time)) {
    return {
      status: 400,
      code: 'MissingRequiredHeader',
      message: `missing or invalid ${name} header`,
    };
  }
  if (Math.abs(Date.now() - time) > MAX_CLOCK_SKEW_MS) {
    return {
      status: 403,
      code: 'RequestTimeTooSkewed',
      message: `the difference between the request time '${dateHeader}' and the server time is more than 15 minutes`,
    };
  }
  return undefined;
}

function tokenFailure(caller: AccessCredentials, given: string): AuthFailure | undefined {
  if (caller.securityToken !== undefined && !safeEqual(given, caller.securityToken)) {
    return {
      status: 403,
      code: 'InvalidSecurityToken',
      message: 'the security token is invalid or missing',
    };
  }
  return undefined;
}

const unknownKey = (accessKeyId: string): AuthFailure => ({
  status: 403,
  code: 'InvalidAccessKeyID',
  message: `invalid access key ID '${accessKeyId}'`,
});

const SIGNATURE_NOT_MATCH: AuthFailure = {
  status: 403,
  code: 'SignatureNotMatch',
  message:
    'The request signature we calculated does not match the signature you provided. Check your access key and signing method.',
};

export class CallerAuth {
  private readonly callers: Map<string, AccessCredentials>;
  private readonly nonces: NonceRegistry = createNonceRegistry(2 * MAX_CLOCK_SKEW_MS);

  constructor(callers: AccessCredentials[]) {
    this.callers = new Map(callers.map((c) => [c.accessKeyId, c]));
  }

  /**
   * FC 2.0: HMAC-SHA256 over METHOD, Content-MD5, Content-Type, Date, the sorted `x-fc-*` headers
   * and the path (https://help.aliyun.com/en/functioncompute/fc-2-0/developer-reference/signature-authentication).
   */
  verifyFc2(
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
  ): AuthFailure | undefined {
    const match = /^FC ([^:]+):(.+)$/.exec(single(headers, 'authorization'));
    if (!match) {
      return {
        status: 403,
        code: 'MissingAuthorization',
        message: 'the Authorization header is missing or malformed',
      };
    }
    const [, accessKeyId, signature] = match;
    const skew = skewFailure(single(headers, 'date'), 'Date');
    if (skew) return skew;
    const caller = this.callers.get(accessKeyId);
    if (!caller) return unknownKey(accessKeyId);
    const token = tokenFailure(caller, single(headers, 'x-fc-security-token'));
    if (token) return token;
    const contentMd5 = single(headers, 'content-md5');
    if (contentMd5 && !md5Matches(contentMd5, body)) {
      return {
        status: 400,
        code: 'InvalidArgument',
        message: 'Content-MD5 does not match the body',
      };
    }
    const fcHeaders = Object.keys(headers)
      .filter((name) => name.startsWith('x-fc-'))
      .sort()
      .map((name) => `${name}:${single(headers, name)}\n`)
      .join('');
    const stringToSign = [
      method,
      contentMd5,
      single(headers, 'content-type'),
      single(headers, 'date'),
      `${fcHeaders}${path}`,
    ].join('\n');
    const expected = createHmac('sha256', caller.accessKeySecret)
      .update(stringToSign, 'utf8')
      .digest('base64');
    return safeEqual(expected, signature) ? undefined : SIGNATURE_NOT_MATCH;
  }

  /**
   * ACS3-HMAC-SHA256 with `requiredSigned` among the signed headers, and FC's gateway checks
   * around it: skew, STS token, and a signed nonce used only once.
   */
  verifyAcs3(request: ReceivedRequest, requiredSigned: readonly string[]): AuthFailure | undefined {
    const auth = parseAcs3Authorization(single(request.headers, 'authorization'));
    if (!auth) {
      return {
        status: 403,
        code: 'MissingAuthorization',
        message: 'an ACS3-HMAC-SHA256 Authorization header is required',
      };
    }
    const missing = missingSignedHeaders(auth, requiredSigned);
    if (missing.length > 0) {
      return {
        status: 403,
        code: 'SignatureNotMatch',
        message: `these headers must be signed: ${missing.join(', ')}`,
      };
    }
    const skew = skewFailure(single(request.headers, 'x-acs-date'), 'x-acs-date');
    if (skew) return skew;
    const caller = this.callers.get(auth.accessKeyId);
    if (!caller) return unknownKey(auth.accessKeyId);
    if (
      caller.securityToken !== undefined &&
      !auth.signedHeaders.includes('x-acs-security-token')
    ) {
      return {
        status: 403,
        code: 'InvalidSecurityToken',
        message: 'x-acs-security-token must be sent and signed',
      };
    }
    const token = tokenFailure(caller, single(request.headers, 'x-acs-security-token'));
    if (token) return token;
    if (!isAcs3SignatureValid(caller.accessKeySecret, request, auth)) return SIGNATURE_NOT_MATCH;
    // Claimed only once the signature holds, so a forger cannot burn a legitimate caller's nonce;
    // an unsigned nonce could be rewritten in transit, so it guards nothing.
    const nonceHeader = 'x-acs-signature-nonce';
    if (
      auth.signedHeaders.includes(nonceHeader) &&
      !this.nonces.claim(auth.accessKeyId, single(request.headers, nonceHeader))
    ) {
      return {
        status: 403,
        code: 'SignatureNonceUsed',
        message: 'the signature nonce has already been used',
      };
    }
    return undefined;
  }
}

/** @alicloud/fc2 sends base64 of the hex digest; RFC 1864 clients send base64 of the raw digest. */
function md5Matches(header: string, body: Buffer): boolean {
  const digest = createHash('md5').update(body).digest();
  return [
    Buffer.from(digest.toString('hex')).toString('base64'),
    digest.toString('base64'),
  ].includes(header);
}
