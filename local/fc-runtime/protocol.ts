/**
 * What the runtime and a function instance (one worker thread, as FC runs one instance per
 * concurrent request) say to each other. Only structured-clone-safe values cross the boundary.
 */

/** The context FC passes to a handler; every field a handler may treat as missing. */
export interface InvocationContext {
  requestId: string;
  credentials: { accessKeyId?: string; accessKeySecret?: string; securityToken?: string };
  function: { name: string; handler: string; memory: number; timeout: number };
  service: { name: string; qualifier: string; logProject: string; logStore: string };
  region: string;
  accountId: string;
}

/** FC's unhandled-error body (errorType and stackTrace absent when the thrown value was no Error). */
export interface FcErrorBody {
  errorMessage: string;
  errorType?: string;
  stackTrace?: string[];
}

/** A handler's return value as FC converts it: a Buffer as is, an object as JSON, anything else as text. */
export type HandlerOutput =
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'json'; json: string }
  | { kind: 'text'; text: string };

export interface InstanceSetup {
  bundlePath: string;
  handlerExport: string;
  /** Export run once before the first invocation, as `instanceLifecycleConfig.initializer`. */
  initializerExport?: string;
  initializerContext: InvocationContext;
}

export type ToInstance = { type: 'invoke'; event: Uint8Array; context: InvocationContext };

export type FromInstance =
  | { type: 'ready' }
  | {
      type: 'startup-failed';
      errorType: 'InitializationError' | 'UnhandledInvocationError';
      error: FcErrorBody;
    }
  | { type: 'result'; output: HandlerOutput }
  | { type: 'error'; error: FcErrorBody };
