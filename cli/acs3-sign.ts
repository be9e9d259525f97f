/**
 * Signs an HTTP-trigger request with ACS3-HMAC-SHA256, as FC's gateway expects for
 * `authType: function` (https://help.aliyun.com/en/functioncompute/fc/user-guide/configure-signature-authentication-for-http-triggers).
 * The signature itself comes from @alicloud/openapi-util, the SDKs' own implementation.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import OpenApiUtil from '@alicloud/openapi-util';
import type { AccessCredentials } from '../functions/detach-key-pair/src/ecs/port';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

type TeaRequest = Parameters<typeof OpenApiUtil.getAuthorization>[0];

const sha256Hex = (body: Buffer): string => createHash('sha256').update(body).digest('hex');

/**
 * The headers to send with `body` to `url`, `authorization` included: the SDKs' full set, with a
 * single-use nonce and the body hash, which FC's gateway accepts and the FC 3.0 API requires.
 */
export function signTriggerRequest(
  url: URL,
  method: string,
  body: Buffer,
  credentials: AccessCredentials,
  contentType = 'application/json',
): Record<string, string> {
  return signHeaders(url, method, body, credentials, {
    host: url.host,
    'content-type': contentType,
    'x-acs-date': acsDate(new Date()),
    'x-acs-signature-nonce': randomUUID(),
    'x-acs-content-sha256': sha256Hex(body),
    ...(credentials.securityToken && { 'x-acs-security-token': credentials.securityToken }),
  });
}

/** `x-acs-date`'s form: ISO 8601 UTC to the second. */
export const acsDate = (time: Date): string => time.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** `headers` plus an `authorization` that signs exactly them, with `url`, `method` and `body`. */
export function signHeaders(
  url: URL,
  method: string,
  body: Buffer,
  credentials: AccessCredentials,
  headers: Record<string, string>,
): Record<string, string> {
  const request: TeaRequest = {
    protocol: url.protocol.replace(':', ''),
    port: Number(url.port),
    method,
    pathname: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body: Readable.from([]),
  };
  const authorization = OpenApiUtil.getAuthorization(
    request,
    ACS3_ALGORITHM,
    sha256Hex(body),
    credentials.accessKeyId,
    credentials.accessKeySecret,
  );
  return { ...headers, authorization };
}
