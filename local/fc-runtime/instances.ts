/**
 * Function instances, one worker thread each: FC3 standard runtimes serve one request per
 * instance at a time, so concurrent invocations get separate instances, each with the function's
 * own environment (not the caller's shell). An instance that timed out or died is thrown away,
 * as FC does, so a late result can never reach anyone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { transformSync } from 'esbuild';
import type {
  FcErrorBody,
  FromInstance,
  HandlerOutput,
  InstanceSetup,
  InvocationContext,
} from './protocol';

export type FcErrorType = 'UnhandledInvocationError' | 'InitializationError';

export type InvocationOutcome =
  | { kind: 'result'; output: HandlerOutput }
  | { kind: 'error'; errorType: FcErrorType; error: FcErrorBody };

type Signal = FromInstance | { type: 'exit' };

let compiledWorker: string | undefined;

/** The worker's TypeScript compiled once per process, so it runs without a loader under plain node, tsx and jest. */
function workerSource(): string {
  compiledWorker ??= transformSync(readFileSync(join(__dirname, 'instance-worker.ts'), 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    target: 'node20',
  }).code;
  return compiledWorker;
}

const unhandled = (errorMessage: string): InvocationOutcome => ({
  kind: 'error',
  errorType: 'UnhandledInvocationError',
  error: { errorMessage },
});

class FunctionInstance {
  private readonly worker: Worker;
  private readonly started: Promise<Signal>;
  private onSignal?: (signal: Signal) => void;

  constructor(setup: InstanceSetup, env: Record<string, string>) {
    this.worker = new Worker(workerSource(), { eval: true, workerData: setup, env });
    this.started = new Promise((resolve) => {
      this.worker.once('message', resolve);
      this.worker.once('exit', () => resolve({ type: 'exit' }));
    });
    this.worker.on('message', (message: FromInstance) => this.onSignal?.(message));
    // An error the handler left unhandled (say a stray rejection) ends the worker; 'exit' follows.
    this.worker.on('error', () => undefined);
    this.worker.on('exit', () => this.onSignal?.({ type: 'exit' }));
  }

  /** The outcome, and whether this instance may serve another request. */
  async invoke(
    event: Buffer,
    context: InvocationContext,
    timeoutMs: number,
  ): Promise<{ outcome: InvocationOutcome; reusable: boolean }> {
    const began = Date.now();
    const exitedEarly = (): InvocationOutcome =>
      unhandled(
        `Process exited unexpectedly before completing request (duration: ${Date.now() - began}ms, maxMemoryUsage: 0MB)`,
      );
    const started = await this.started;
    if (started.type === 'exit') return { outcome: exitedEarly(), reusable: false };
    if (started.type === 'startup-failed') {
      return {
        outcome: { kind: 'error', errorType: started.errorType, error: started.error },
        reusable: false,
      };
    }
    return new Promise((resolve) => {
      const finish = (outcome: InvocationOutcome, reusable: boolean): void => {
        clearTimeout(timer);
        this.onSignal = undefined;
        resolve({ outcome, reusable });
      };
      const timer = setTimeout(
        () => finish(unhandled(`Function time out after ${timeoutMs / 1000} seconds`), false),
        timeoutMs,
      );
      this.onSignal = (signal) => {
        if (signal.type === 'result') finish({ kind: 'result', output: signal.output }, true);
        else if (signal.type === 'error') {
          finish(
            { kind: 'error', errorType: 'UnhandledInvocationError', error: signal.error },
            true,
          );
        } else if (signal.type === 'exit') finish(exitedEarly(), false);
      };
      this.worker.postMessage({ type: 'invoke', event: new Uint8Array(event), context });
    });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

export interface InstancePoolOptions {
  setup: (context: InvocationContext) => InstanceSetup;
  env: Record<string, string>;
}

export class InstancePool {
  private readonly idle: FunctionInstance[] = [];
  private readonly live = new Set<FunctionInstance>();
  private closed = false;

  constructor(private readonly options: InstancePoolOptions) {}

  async invoke(
    event: Buffer,
    context: InvocationContext,
    timeoutMs: number,
  ): Promise<InvocationOutcome> {
    if (this.closed) return unhandled('The function runtime is shutting down');
    const instance = this.idle.pop() ?? this.spawn(context);
    const { outcome, reusable } = await instance.invoke(event, context, timeoutMs);
    if (reusable && !this.closed) this.idle.push(instance);
    else void this.discard(instance);
    return outcome;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.live].map((instance) => this.discard(instance)));
  }

  private spawn(context: InvocationContext): FunctionInstance {
    const instance = new FunctionInstance(this.options.setup(context), this.options.env);
    this.live.add(instance);
    return instance;
  }

  private async discard(instance: FunctionInstance): Promise<void> {
    this.live.delete(instance);
    await instance.terminate();
  }
}
