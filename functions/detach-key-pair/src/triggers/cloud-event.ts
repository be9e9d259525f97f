import { MalformedPayloadError } from '../errors';
import { base64ToBytes, bytesToText, parseJson } from './decode';
import { isRecord } from '../values';

/** A CloudEvent from EventBridge (docs/fc-facts.md); the request travels in `data`. */
export interface CloudEvent {
  specversion: string;
  id?: unknown;
  type?: unknown;
  data?: unknown;
  data_base64?: unknown;
}

export function isCloudEvent(value: unknown): value is CloudEvent {
  return isRecord(value) && typeof value.specversion === 'string';
}

/** Event-streaming triggers deliver several events as one array. */
export function isCloudEventBatch(value: unknown): value is CloudEvent[] {
  return Array.isArray(value) && value.length > 0 && value.every(isCloudEvent);
}

/**
 * MNS queue sources wrap the message: `data: {requestId, messageId, messageBody}`, and the
 * message body is the request.
 */
function mnsMessageBody(event: CloudEvent): string | undefined {
  const isMnsMessage = typeof event.type === 'string' && event.type.startsWith('mns:');
  if (!isMnsMessage || !isRecord(event.data)) return undefined;
  return typeof event.data.messageBody === 'string' ? event.data.messageBody : undefined;
}

/**
 * `data` may be the request object, a JSON string of it, an MNS message whose body is the
 * request, or (per the spec) `data_base64`.
 */
export function cloudEventPayload(event: CloudEvent): unknown {
  const messageBody = mnsMessageBody(event);
  if (messageBody !== undefined) return parseJson(messageBody, 'The MNS message body');
  if (typeof event.data === 'string') return parseJson(event.data, 'The CloudEvent data');
  if (event.data !== undefined && event.data !== null) return event.data;
  if (typeof event.data_base64 === 'string') {
    const bytes = base64ToBytes(event.data_base64, 'The CloudEvent data_base64');
    return parseJson(bytesToText(bytes, 'The CloudEvent data'), 'The CloudEvent data');
  }
  throw new MalformedPayloadError('The CloudEvent has no data holding the request.');
}
