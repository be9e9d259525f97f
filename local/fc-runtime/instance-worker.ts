/**
 * The code inside one function instance (a worker thread). It is compiled on the fly and run
 * with `eval`, so it may import only Node built-ins (type-only imports vanish when compiled).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type {
  FcErrorBody,
  FromInstance,
  HandlerOutput,
  InstanceSetup,
  ToInstance,
} from './protocol';

type Entry = (...args: unknown[]) => unknown;

const setup = workerData as InstanceSetup;
const port = parentPort;
if (!port) throw new Error('instance-worker must run in a worker thread');

const send = (message: FromInstance): void => port.postMessage(message);

function errorBody(thrown: unknown): FcErrorBody {
  if (thrown instanceof Error) {
    return {
      errorMessage: thrown.message,
      errorType: thrown.name,
      stackTrace: (thrown.stack ?? '').split('\n'),
    };
  }
  return { errorMessage: String(thrown) };
}

function toOutput(value: unknown): HandlerOutput {
  if (value instanceof Uint8Array) return { kind: 'bytes', bytes: value };
  if (value === undefined || value === null) return { kind: 'text', text: '' };
  if (typeof value === 'object') return { kind: 'json', json: JSON.stringify(value) };
  return { kind: 'text', text: String(value) };
}

function exported(bundle: Record<string, unknown>, name: string): Entry {
  const fn = bundle[name];
  if (typeof fn !== 'function') {
    throw new Error(`Handler '${name}' missing on module '${setup.bundlePath}'`);
  }
  return fn as Entry;
}

async function start(): Promise<Entry | undefined> {
  let bundle: Record<string, unknown>;
  let handler: Entry;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- FC loads the code with require
    bundle = require(setup.bundlePath) as Record<string, unknown>;
    handler = exported(bundle, setup.handlerExport);
  } catch (error) {
    send({
      type: 'startup-failed',
      errorType: 'UnhandledInvocationError',
      error: errorBody(error),
    });
    return undefined;
  }
  if (setup.initializerExport) {
    try {
      await exported(bundle, setup.initializerExport)(setup.initializerContext);
    } catch (error) {
      send({ type: 'startup-failed', errorType: 'InitializationError', error: errorBody(error) });
      return undefined;
    }
  }
  send({ type: 'ready' });
  return handler;
}

void start().then((handler) => {
  if (!handler) return;
  port.on('message', (message: ToInstance) => {
    Promise.resolve()
      .then(() => handler(Buffer.from(message.event), message.context))
      .then(
        (value) => send({ type: 'result', output: toOutput(value) }),
        (error: unknown) => send({ type: 'error', error: errorBody(error) }),
      );
  });
});
