import { MalformedPayloadError } from '../errors';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8: a byte sequence that is not text is the caller's error, not garbage to guess at. */
export function bytesToText(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch (error) {
    throw new MalformedPayloadError(`${what} is not valid UTF-8.`, { cause: error });
  }
}

/** JSON.parse that fails with a client-facing error instead of a SyntaxError. */
export function parseJson(text: string, what: string): unknown {
  if (text.trim() === '') throw new MalformedPayloadError(`${what} is empty.`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MalformedPayloadError(`${what} is not valid JSON.`, { cause: error });
  }
}

/** FC passes a Buffer; local runners and tests may pass a string or an already parsed value. */
export function decodeEvent(event: unknown): unknown {
  if (event instanceof Uint8Array) return parseJson(bytesToText(event, 'The event'), 'The event');
  if (typeof event === 'string') return parseJson(event, 'The event');
  return event;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function base64ToBytes(text: string, what: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 === 1 || !BASE64.test(compact)) {
    throw new MalformedPayloadError(`${what} is not valid base64.`);
  }
  return Buffer.from(compact, 'base64');
}
