import { parseJson } from './decode';
import { isRecord } from '../values';

/** A timer trigger event (docs/fc-facts.md): the configured payload arrives as a string. */
export interface TimerEvent {
  triggerTime: string;
  triggerName: string;
  payload?: unknown;
}

export function isTimerEvent(value: unknown): value is TimerEvent {
  return (
    isRecord(value) &&
    typeof value.triggerTime === 'string' &&
    typeof value.triggerName === 'string' &&
    'payload' in value
  );
}

export function timerPayload(event: TimerEvent): unknown {
  return typeof event.payload === 'string'
    ? parseJson(event.payload, 'The timer payload')
    : event.payload;
}
