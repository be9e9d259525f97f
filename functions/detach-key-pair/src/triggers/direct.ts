import { nearestRequestField } from '../request';
import { isRecord } from '../values';

/** Shorter keys would resemble a field by chance ("I" is a prefix of InstanceIds). */
const MIN_RESEMBLING_KEY_LENGTH = 4;

/**
 * The request itself (runbooks, OOS, the CLI). Any key resembling a request field counts, so a
 * misspelt request (`InstanceId`) reaches validation and is told exactly what is wrong.
 */
export function isDirectRequest(value: unknown): value is Record<string, unknown> {
  return (
    isRecord(value) &&
    Object.keys(value).some(
      (key) =>
        key.toLowerCase().length >= MIN_RESEMBLING_KEY_LENGTH &&
        nearestRequestField(key) !== undefined,
    )
  );
}
