import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const EVENTS_DIR = join(__dirname, '..', 'events');

/** A fresh copy of a fixture under test/events, parsed. */
export function loadEvent<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(EVENTS_DIR, name), 'utf8')) as T;
}

/** A fixture as FC delivers it: the raw bytes in a Buffer. */
export function eventBuffer(name: string): Buffer {
  return readFileSync(join(EVENTS_DIR, name));
}

/** An HTTP fixture with its JSON body replaced. */
export function httpEventWithBody(name: string, body: unknown): Record<string, unknown> {
  const event = loadEvent<Record<string, unknown>>(name);
  return { ...event, body: JSON.stringify(body), isBase64Encoded: false };
}
