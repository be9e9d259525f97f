/**
 * Signs an HTTP-trigger request with ACS3-HMAC-SHA256, as FC's gateway expects for
 * `authType: function` (https://help.aliyun.com/en/functioncompute/fc/user-guide/configure-signature-authentication-for-http-triggers).
 * The signature itself comes from @alicloud/openapi-util, the SDKs' own implementation.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import OpenApiUtil from '@alicloud/openapi-util';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

export interface SigningCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

type TeaRequest = Parameters<typeof OpenApiUtil.getAuthorization>[0];

/** The headers to send with `body` to `url`, `authorization` included. */
export function signTriggerRequest(
  url: URL,
  method: string,
  body: Buffer,
  credentials: SigningCredentials,
  contentType = 'application/json',
): Record<string, string> {
  const payloadHash = createHash('sha256').update(body).digest('hex');
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': contentType,
    'x-acs-date': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'x-acs-signature-nonce': randomUUID(),
    'x-acs-content-sha256': payloadHash,
    ...(credentials.securityToken && { 'x-acs-security-token': credentials.securityToken }),
  };
  const request: TeaRequest = {
    protocol: url.protocol.replace(':', ''),
    port: Number(url.port),
    method,
    pathname: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body: Readable.from([]),
  };
  headers.authorization = OpenApiUtil.getAuthorization(
    request,
    ACS3_ALGORITHM,
    payloadHash,
    credentials.accessKeyId,
    credentials.accessKeySecret,
  );
  return headers;
}
