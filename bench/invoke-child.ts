/**
 * Runs in its own `node` process (bundled by artifacts.ts), so that the function's peak RSS is its
 * own and not the emulator's, and so that its logs leave the process as on FC instead of landing in
 * the bench's table. argv[2] is the function bundle; the environment carries ECS_ENDPOINT.
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import type { ChildReply, ChildRequest, FcContext } from './protocol';

interface FunctionModule {
  handler(event: Buffer, context: FcContext): Promise<unknown>;
  initialize?(): Promise<void>;
}

const bundle = process.argv[2];
const { handler, initialize } = createRequire(__filename)(bundle) as FunctionModule;

function invoke(request: ChildRequest): Promise<unknown> {
  if (request.kind === 'handler') {
    // FC hands the function its event as a Buffer.
    return handler(Buffer.from(JSON.stringify(request.payload)), request.context);
  }
  // Loaded on first use only, so the fleet runs never pay for the whole client in their RSS.
  return import('./direct-sdk').then(({ detachDirectly }) =>
    detachDirectly(request.payload, request.credentials, request.endpoint),
  );
}

function reply(message: ChildReply): void {
  process.send?.(message);
}

process.on('message', (request: ChildRequest) => {
  const started = performance.now();
  invoke(request).then(
    (result) => {
      const ms = performance.now() - started;
      const memory = {
        rssBytes: process.memoryUsage().rss,
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
      };
      reply({ kind: 'done', ms, result, memory });
    },
    (error: unknown) =>
      reply({
        kind: 'failed',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  );
});

// s.yaml declares index.initialize as the initializer, which FC runs before the first invocation.
Promise.resolve(initialize?.()).then(
  () => reply({ kind: 'ready' }),
  (error: unknown) => reply({ kind: 'failed', message: `initialize: ${String(error)}` }),
);
