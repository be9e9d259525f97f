/**
 * Authentication as the API gateway does it: an ACS3-HMAC-SHA256 `Authorization` header (what the
 * SDK sends by default) or an RPC v1 HMAC-SHA1 `Signature` query parameter; then the timestamp
 * within the allowed clock skew, a known access key, a valid STS token, a matching signature and
 * an unused nonce, in that order.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  isAcs3SignatureValid,
  missingSignedHeaders,
  parseAcs3Authorization,
  percentEncode,
  type ReceivedRequest,
} from '../auth/acs3';
import { createCredentialStore, type CredentialStore, type KnownCredential } from './credentials';
import { EcsApiError, invalidParameter, missingParameter } from './errors';
import { createNonceRegistry, type NonceRegistry } from '../auth/nonces';

export interface AuthSettings {
  credentials: CredentialStore;
  nonces: NonceRegistry;
  maxClockSkewMs: number;
}

export function createAuthSettings(maxClockSkewMs: number): AuthSettings {
  return {
    credentials: createCredentialStore(),
    // A timestamp stays acceptable for the skew on either side of now: remember nonces that long.
    nonces: createNonceRegistry(2 * maxClockSkewMs),
    maxClockSkewMs,
  };
}

const incompleteSignature = (): EcsApiError =>
  new EcsApiError(
    400,
    'IncompleteSignature',
    'The request signature does not conform to Aliyun standards.',
  );

const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function checkTimestamp(value: string | undefined, maxSkewMs: number): void {
  const time = value && ISO_SECONDS.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) {
    throw new EcsApiError(
      400,
      'InvalidTimeStamp.Format',
      'Specified time stamp or date value is not well formatted.',
    );
  }
  if (Math.abs(Date.now() - time) > maxSkewMs) {
    throw new EcsApiError(
      400,
      'InvalidTimeStamp.Expired',
      'Specified time stamp or date value is expired.',
    );
  }
}

function findCredential(settings: AuthSettings, accessKeyId: string): KnownCredential {
  const credential = settings.credentials.find(accessKeyId);
  if (!credential) {
    throw new EcsApiError(400, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  }
  return credential;
}

function checkSecurityToken(credential: KnownCredential, presented: string | undefined): void {
  if (credential.securityToken === undefined && presented === undefined) return;
  if (credential.securityToken !== presented) {
    throw new EcsApiError(
      400,
      'InvalidSecurityToken.MismatchWithAccessKey',
      'Specified SecurityToken mismatch with the AccessKey.',
    );
  }
  if ((credential.expiresAt ?? Infinity) <= Date.now()) {
    throw new EcsApiError(
      400,
      'InvalidSecurityToken.Expired',
      'Specified SecurityToken is expired.',
    );
  }
}

function claimNonce(settings: AuthSettings, accessKeyId: string, nonce: string): void {
  if (!settings.nonces.claim(accessKeyId, nonce)) {
    throw new EcsApiError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  }
}

function header(req: ReceivedRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function authenticateAcs3(req: ReceivedRequest, settings: AuthSettings): KnownCredential {
  const auth = parseAcs3Authorization(header(req, 'authorization'));
  if (!auth || missingSignedHeaders(auth).length > 0) throw incompleteSignature();
  // An unsigned token could be swapped in transit, so the gateway insists it is signed.
  const securityToken = header(req, 'x-acs-security-token');
  if (securityToken !== undefined && !auth.signedHeaders.includes('x-acs-security-token')) {
    throw incompleteSignature();
  }
  checkTimestamp(header(req, 'x-acs-date'), settings.maxClockSkewMs);
  const credential = findCredential(settings, auth.accessKeyId);
  const declaredKeyId = header(req, 'x-acs-accesskey-id');
  if (declaredKeyId !== undefined && declaredKeyId !== auth.accessKeyId) {
    throw invalidParameter('x-acs-accesskey-id');
  }
  checkSecurityToken(credential, securityToken);
  if (!isAcs3SignatureValid(credential.accessKeySecret, req, auth)) {
    throw new EcsApiError(
      400,
      'SignatureDoesNotMatch',
      'Specified signature does not match our calculation.',
    );
  }
  claimNonce(settings, credential.accessKeyId, header(req, 'x-acs-signature-nonce') ?? '');
  return credential;
}

/** The RPC v1 string to sign: `METHOD&%2F&` + the encoded, sorted, encoded parameters. */
export function rpcStringToSign(method: string, params: Record<string, string>): string {
  const canonicalized = Object.keys(params)
    .filter((key) => key !== 'Signature')
    .sort()
    .map((key) => `${percentEncode(key)}=${percentEncode(params[key])}`)
    .join('&');
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalized)}`;
}

export function rpcSignature(secret: string, stringToSign: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}

const V1_REQUIRED = [
  'AccessKeyId',
  'SignatureMethod',
  'SignatureVersion',
  'Timestamp',
  'SignatureNonce',
];

function authenticateV1(
  method: string,
  params: Record<string, string>,
  settings: AuthSettings,
): KnownCredential {
  const missing = V1_REQUIRED.find((name) => !params[name]);
  if (missing) throw missingParameter(missing);
  if (params.SignatureMethod !== 'HMAC-SHA1') throw invalidParameter('SignatureMethod');
  if (params.SignatureVersion !== '1.0') throw invalidParameter('SignatureVersion');
  checkTimestamp(params.Timestamp, settings.maxClockSkewMs);
  const credential = findCredential(settings, params.AccessKeyId);
  checkSecurityToken(credential, params.SecurityToken);
  const stringToSign = rpcStringToSign(method, params);
  const expected = Buffer.from(rpcSignature(credential.accessKeySecret, stringToSign));
  const given = Buffer.from(params.Signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new EcsApiError(
      400,
      'SignatureDoesNotMatch',
      `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`,
    );
  }
  claimNonce(settings, credential.accessKeyId, params.SignatureNonce);
  return credential;
}

/**
 * The credential that signed the request, or an EcsApiError with the gateway's code.
 * `params` are the query and form parameters together, which v1 signs.
 */
export function authenticate(
  req: ReceivedRequest,
  params: Record<string, string>,
  settings: AuthSettings,
): KnownCredential {
  if (header(req, 'authorization') !== undefined) return authenticateAcs3(req, settings);
  if (params.Signature !== undefined) return authenticateV1(req.method, params, settings);
  throw incompleteSignature();
}
