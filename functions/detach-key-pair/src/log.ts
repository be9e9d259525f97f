import pino, { type DestinationStream, type Logger } from 'pino';
import { DetachKeyPairError, EcsCallError } from './errors';

export type { Logger };

/**
 * Paths that could hold a secret if one ever reached a log call. Nothing logs credentials on
 * purpose; this is the net under that rule.
 */
const REDACTED_PATHS = [
  'credentials',
  'accessKeyId',
  'accessKeySecret',
  'securityToken',
  'authorization',
  '*.credentials',
  '*.accessKeyId',
  '*.accessKeySecret',
  '*.securityToken',
  '*.authorization',
  '*.headers.authorization',
  '*.headers["x-acs-security-token"]',
];

/** One JSON line per entry, written synchronously: no worker thread, so it bundles to one file. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      messageKey: 'message',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * What a log needs from an error: our own errors by their fields (their causes may be SDK
 * objects holding whole ECS responses), anything unexpected with its stack.
 */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof EcsCallError) {
    return {
      name: error.name,
      code: error.code,
      kind: error.kind,
      action: error.action,
      message: error.message,
      ...error.details,
    };
  }
  if (error instanceof DetachKeyPairError) {
    return { name: error.name, code: error.code, message: error.message };
  }
  if (error instanceof Error)
    return { name: error.name, message: error.message, stack: error.stack };
  return { value: typeof error };
}
