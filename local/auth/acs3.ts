/**
 * Server side of the ACS3-HMAC-SHA256 signature, as Alibaba Cloud's gateways verify it
 * (https://help.aliyun.com/document_detail/2593177.html). Shared by the ECS emulator and the
 * local FC runtime's HTTP-trigger authentication. Clients sign with the real SDKs.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** A request as it arrived: the path without its query, the decoded query, raw headers. */
export interface ReceivedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface Acs3Authorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** Headers an OpenAPI gateway (ECS, the FC 3.0 API) insists are signed, whatever the client lists. */
export const API_SIGNED_HEADERS = [
  'host',
  'x-acs-date',
  'x-acs-signature-nonce',
  'x-acs-content-sha256',
];

/** RFC 3986 percent-encoding, as the SDKs canonicalize query values. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Parses `ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`; undefined when malformed. */
export function parseAcs3Authorization(header: string | undefined): Acs3Authorization | undefined {
  if (!header?.startsWith(`${ACS3_ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(ACS3_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) return undefined;
  return { accessKeyId, signedHeaders: signedHeaders.split(';'), signature };
}

/** The `required` headers that the request failed to sign, if any. */
export function missingSignedHeaders(
  auth: Acs3Authorization,
  required: readonly string[] = API_SIGNED_HEADERS,
): string[] {
  return required.filter((name) => !auth.signedHeaders.includes(name));
}

function headerValue(headers: ReceivedRequest['headers'], name: string): string {
  const value = headers[name];
  const values = Array.isArray(value) ? value : [value ?? ''];
  return values
    .map((v) => v.trim())
    .sort()
    .join(',');
}

function canonicalRequest(req: ReceivedRequest, signedHeaders: string[]): string {
  const query = Object.keys(req.query)
    .sort()
    .map((key) => `${key}=${percentEncode(req.query[key])}`)
    .join('&');
  const headers = signedHeaders
    .map((name) => `${name}:${headerValue(req.headers, name)}\n`)
    .join('');
  return [
    req.method.toUpperCase(),
    req.path || '/',
    query,
    headers,
    signedHeaders.join(';'),
    sha256Hex(req.body),
  ].join('\n');
}

function acs3Signature(secret: string, req: ReceivedRequest, signedHeaders: string[]): string {
  const stringToSign = `${ACS3_ALGORITHM}\n${sha256Hex(canonicalRequest(req, signedHeaders))}`;
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

/**
 * True when the signature matches the secret over the body as received. A body hash that is sent
 * or signed must be the body's: the canonical request always hashes the body itself, so a hash
 * header can only confirm the body, never stand in for it.
 */
export function isAcs3SignatureValid(
  secret: string,
  req: ReceivedRequest,
  auth: Acs3Authorization,
): boolean {
  const hashHeader = 'x-acs-content-sha256';
  const hashClaimed =
    req.headers[hashHeader] !== undefined || auth.signedHeaders.includes(hashHeader);
  if (hashClaimed && headerValue(req.headers, hashHeader) !== sha256Hex(req.body)) return false;
  const expected = Buffer.from(acs3Signature(secret, req, auth.signedHeaders));
  const given = Buffer.from(auth.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
