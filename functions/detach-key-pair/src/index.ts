/**
 * FC 3.0 entry points (`index.handler`, `index.initialize`). Wiring only: the flow is in
 * handler.ts. The SDK adapter is loaded on first use, not at module load, to keep cold starts
 * short; `initialize` loads it ahead of the first invocation when FC runs the initializer.
 */
import { systemClock } from './deadline';
import { DEFAULT_RETRY_POLICY } from './job/retry';
import { createHandler, type EcsPortFactory } from './handler';
import { createLogger, type Logger } from './log';

const loadSdkAdapter = () => import('./ecs/sdk-adapter');

const loggers = new Map<string, Logger>();
function loggerFor(level: string): Logger {
  let logger = loggers.get(level);
  if (!logger) {
    logger = createLogger(level);
    loggers.set(level, logger);
  }
  return logger;
}

const ecsPortFor: EcsPortFactory = async (credentials, endpoint, regionId) =>
  (await loadSdkAdapter()).ecsPortFor(credentials, endpoint, regionId);

export const handler = createHandler({
  env: () => process.env,
  clock: systemClock,
  retryPolicy: DEFAULT_RETRY_POLICY,
  loggerFor,
  ecsPortFor,
  // Web Crypto, which Node loads on first use: FC always sends a request id, so node:crypto is
  // not worth loading at every cold start for the rare invocation without one.
  newRequestId: () => crypto.randomUUID(),
});

export async function initialize(): Promise<void> {
  await loadSdkAdapter();
}
