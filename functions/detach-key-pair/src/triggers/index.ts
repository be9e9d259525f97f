/**
 * Tells event shapes apart and turns each into request payloads. Nothing here knows about ECS.
 */
import { DetachKeyPairError, UnsupportedEventError } from '../errors';
import { cloudEventPayload, isCloudEvent, isCloudEventBatch } from './cloud-event';
import { decodeEvent } from './decode';
import { isDirectRequest } from './direct';
import { isHttpTriggerEvent, type HttpTriggerEvent } from './http';
import { isTimerEvent, timerPayload } from './timer';

/** One request payload, or why it could not be read. */
export type PayloadOrError = { payload: unknown } | { error: DetachKeyPairError };

export type EventSource = 'cloudevent' | 'timer' | 'direct';

export type Invocation =
  | { source: 'http'; event: HttpTriggerEvent }
  | { source: EventSource; batch: boolean; payloads: PayloadOrError[] }
  | { source: 'unsupported'; error: DetachKeyPairError };

const ACCEPTED_SHAPES =
  'Accepted events: an FC HTTP trigger event (POST a JSON body), a CloudEvent or an array of ' +
  'CloudEvents with the request in data, a timer event with the request as a JSON string in ' +
  'payload, or the request itself: {"RegionId", "KeyPairName", "InstanceIds", "DryRun"?}.';

function attempt(read: () => unknown): PayloadOrError {
  try {
    return { payload: read() };
  } catch (error) {
    if (error instanceof DetachKeyPairError) return { error };
    throw error;
  }
}

export function detectInvocation(event: unknown): Invocation {
  const decoded = attempt(() => decodeEvent(event));
  if ('error' in decoded) return { source: 'unsupported', error: decoded.error };
  const value = decoded.payload;
  if (isHttpTriggerEvent(value)) return { source: 'http', event: value };
  if (isCloudEventBatch(value)) {
    return {
      source: 'cloudevent',
      batch: true,
      payloads: value.map((item) => attempt(() => cloudEventPayload(item))),
    };
  }
  if (isCloudEvent(value)) {
    return {
      source: 'cloudevent',
      batch: false,
      payloads: [attempt(() => cloudEventPayload(value))],
    };
  }
  if (isTimerEvent(value)) {
    return { source: 'timer', batch: false, payloads: [attempt(() => timerPayload(value))] };
  }
  if (isDirectRequest(value))
    return { source: 'direct', batch: false, payloads: [{ payload: value }] };
  return { source: 'unsupported', error: new UnsupportedEventError(ACCEPTED_SHAPES) };
}
