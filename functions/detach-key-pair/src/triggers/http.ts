import {
  MalformedPayloadError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../errors';
import { base64ToBytes, bytesToText, parseJson } from './decode';
import { isRecord } from '../values';

/** The FC 3.0 HTTP trigger event (docs/fc-facts.md), as far as this function reads it. */
export interface HttpTriggerEvent {
  version: 'v1';
  rawPath?: string;
  body?: string;
  isBase64Encoded?: boolean;
  headers?: Record<string, unknown>;
  requestContext: { requestId?: unknown; http: { method?: unknown; path?: unknown } };
}

export function isHttpTriggerEvent(value: unknown): value is HttpTriggerEvent {
  return (
    isRecord(value) &&
    value.version === 'v1' &&
    isRecord(value.requestContext) &&
    isRecord(value.requestContext.http)
  );
}

export const MAX_BODY_BYTES = 64 * 1024;
const ALLOWED_METHODS = ['GET', 'POST'] as const;

export type HttpRoute = { kind: 'describe' } | { kind: 'detach'; payload: unknown };

function httpMethod(event: HttpTriggerEvent): string {
  const method = event.requestContext.http.method;
  return typeof method === 'string' ? method.toUpperCase() : '';
}

/** Header names are case-insensitive; FC joins repeated values with commas. */
function header(event: HttpTriggerEvent, name: string): string | undefined {
  if (!isRecord(event.headers)) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers)) {
    if (key.toLowerCase() === wanted && typeof value === 'string') return value;
  }
  return undefined;
}

/** `application/json` or any `application/*+json`, in UTF-8 if a charset is named. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [mediaType, ...parameters] = contentType
    .split(';')
    .map((part) => part.trim().toLowerCase());
  const isJson =
    mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
  const charset = parameters.find((parameter) => parameter.startsWith('charset='));
  return isJson && (charset === undefined || /^charset="?utf-8"?$/.test(charset));
}

function bodyBytes(event: HttpTriggerEvent): Buffer {
  const body = typeof event.body === 'string' ? event.body : '';
  if (event.isBase64Encoded === true) {
    // Checked before decoding, so an enormous body is refused without allocating it twice.
    if (body.length > Math.ceil(MAX_BODY_BYTES / 3) * 4 + 4) {
      throw new PayloadTooLargeError(MAX_BODY_BYTES);
    }
    return base64ToBytes(body, 'The base64 body');
  }
  if (body.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  return Buffer.from(body, 'utf8');
}

/** GET describes the function; POST with a JSON body detaches; nothing else is accepted. */
export function routeHttpRequest(event: HttpTriggerEvent): HttpRoute {
  const method = httpMethod(event);
  if (method === 'GET') return { kind: 'describe' };
  if (method !== 'POST') throw new MethodNotAllowedError(method || 'UNKNOWN', ALLOWED_METHODS);
  if (!isJsonContentType(header(event, 'content-type'))) {
    throw new UnsupportedMediaTypeError(
      'The body must be JSON: send Content-Type: application/json (UTF-8).',
    );
  }
  const bytes = bodyBytes(event);
  if (bytes.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  if (bytes.length === 0) throw new MalformedPayloadError('The request body is empty.');
  return { kind: 'detach', payload: parseJson(bytesToText(bytes, 'The body'), 'The body') };
}
