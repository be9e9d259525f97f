/**
 * Function instances, one worker thread each: FC3 standard runtimes serve one request per
 * instance at a time, so concurrent invocations get separate instances, each with the function's
 * own environment (not the caller's shell). An instance that timed out or died is thrown away,
 * as FC does, so a late result can never reach anyone. Like FC, the pool caps its instances:
 * invocations beyond the cap wait, in arrival order, for one to come free.
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

/**
 * A local default, far below FC's regional quota: each instance is a worker thread with its own
 * copy of the bundle, and a laptop or a CI runner has a few cores.
 */
const DEFAULT_MAX_INSTANCES = 16;

export interface InstancePoolOptions {
  setup: (context: InvocationContext) => InstanceSetup;
  env: Record<string, string>;
  /** Most instances alive at once; default DEFAULT_MAX_INSTANCES. */
  maxInstances?: number;
}

/** An invocation waiting for an instance; granted none when the pool closes. */
interface Waiter {
  context: InvocationContext;
  grant: (instance: FunctionInstance | undefined) => void;
}

const SHUTTING_DOWN = 'The function runtime is shutting down';

export class InstancePool {
  private readonly idle: FunctionInstance[] = [];
  private readonly live = new Set<FunctionInstance>();
  private readonly waiting: Waiter[] = [];
  private readonly maxInstances: number;
  private closed = false;

  constructor(private readonly options: InstancePoolOptions) {
    this.maxInstances = options.maxInstances ?? DEFAULT_MAX_INSTANCES;
    if (!Number.isInteger(this.maxInstances) || this.maxInstances < 1) {
      throw new Error('maxInstances must be a positive integer');
    }
  }

  async invoke(
    event: Buffer,
    context: InvocationContext,
    timeoutMs: number,
  ): Promise<InvocationOutcome> {
    if (this.closed) return unhandled(SHUTTING_DOWN);
    const instance = await this.acquire(context);
    if (!instance) return unhandled(SHUTTING_DOWN);
    const { outcome, reusable } = await instance.invoke(event, context, timeoutMs);
    if (reusable && !this.closed) this.release(instance);
    else void this.discard(instance);
    return outcome;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiting.splice(0).forEach((waiter) => waiter.grant(undefined));
    await Promise.all([...this.live].map((instance) => this.discard(instance)));
  }

  private acquire(context: InvocationContext): Promise<FunctionInstance | undefined> {
    const idle = this.idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.live.size < this.maxInstances) return Promise.resolve(this.spawn(context));
    return new Promise((grant) => this.waiting.push({ context, grant }));
  }

  /** A free instance goes straight to the longest waiter, else back to the idle list. */
  private release(instance: FunctionInstance): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter.grant(instance);
    else this.idle.push(instance);
  }

  private spawn(context: InvocationContext): FunctionInstance {
    const instance = new FunctionInstance(this.options.setup(context), this.options.env);
    this.live.add(instance);
    return instance;
  }

  /** A discarded instance frees its place for a fresh one, if someone is waiting. */
  private async discard(instance: FunctionInstance): Promise<void> {
    this.live.delete(instance);
    const waiter = this.closed ? undefined : this.waiting.shift();
    if (waiter) waiter.grant(this.spawn(waiter.context));
    await instance.terminate();
  }
}
