import { REQUEST_FIELDS } from '../request';
import { isRecord } from './decode';

const FOLDED_FIELDS = REQUEST_FIELDS.map((field) => field.toLowerCase());

/**
 * The request itself (runbooks, OOS, the CLI). Any key resembling a request field counts, so a
 * misspelt request (`InstanceId`) reaches validation and is told exactly what is wrong.
 */
export function isDirectRequest(value: unknown): value is Record<string, unknown> {
  return (
    isRecord(value) &&
    Object.keys(value).some((key) => {
      const folded = key.toLowerCase();
      return (
        folded.length >= 4 &&
        FOLDED_FIELDS.some((field) => field.startsWith(folded) || folded.startsWith(field))
      );
    })
  );
}
