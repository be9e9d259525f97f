/**
 * A local stand-in for FC 3.0 in front of the built bundle: the HTTP trigger (everything outside
 * the API prefixes), the FC 2.0 InvokeFunction API that @alicloud/fc2 calls, and the FC 3.0
 * InvokeFunction API. Requests are authenticated before any handler runs, as FC's gateway does.
 * Listens on 127.0.0.1 only.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { buffer } from 'node:stream/consumers';
import type { AddressInfo } from 'node:net';
import { basename, extname, resolve } from 'node:path';
import {
  CallerAuth,
  FC_API_SIGNED_HEADERS,
  generateCallerCredential,
  TRIGGER_SIGNED_HEADERS,
  type AuthFailure,
} from './caller-auth';
import {
  DEFAULT_HTTP_TRIGGER,
  readDeployedFunctionConfig,
  type HttpTriggerConfig,
} from './function-config';
import { buildHttpEvent, writeConvertedOutput, writeHttpTriggerResponse } from './http-trigger';
import { InstancePool, type InvocationOutcome } from './instances';
import type { ReceivedRequest } from '../auth/acs3';
import type { AccessCredentials } from '../../functions/detach-key-pair/src/ecs/port';
import type { EcsEmulator, IssuedCredentials, RamPolicy } from '../ecs-emulator';
import type { InvocationContext } from './protocol';

const REPO_ROOT = resolve(__dirname, '../..');

/** The part of the ECS emulator the runtime needs: it plays STS for the function's role. */
export type RoleCredentialIssuer = Pick<EcsEmulator, 'issueCredentials'>;

export interface FcRuntimeOptions {
  /** The built bundle FC would load from `code: ./dist`. Default `<repo>/dist/index.js`. */
  bundlePath?: string;
  /** Function and trigger settings; default `<repo>/s.yaml` when it exists, `null` to ignore. */
  sYamlPath?: string | null;
  functionName?: string;
  /** The FC 2.0 API addresses functions through a service; FC 3.0 has none (see docs/local-and-cli.md). */
  serviceName?: string;
  /** `file.export`, as in s.yaml. */
  handler?: string;
  /** `file.export` run once per instance before its first request. */
  initializer?: string;
  memorySize?: number;
  timeoutSeconds?: number;
  region?: string;
  accountId?: string;
  /** The function's environment variables (ECS_ENDPOINT and so on). */
  env?: Record<string, string>;
  /** Issues the role's STS credentials passed in `context.credentials`. */
  ecsEmulator?: RoleCredentialIssuer;
  /** RAM policy of the function role, when credentials come from the emulator. */
  rolePolicy?: RamPolicy;
  /** Fixed `context.credentials` instead of emulator-issued ones. */
  credentials?: IssuedCredentials;
  httpTrigger?: Partial<HttpTriggerConfig>;
  /** Who may call; default one generated STS credential, returned as `callerCredentials`. */
  callers?: AccessCredentials[];
  port?: number;
  /** Most function instances at once; more concurrent requests queue for one. Default 16. */
  maxInstances?: number;
}

export type InvocationPath = 'http-trigger' | 'fc2-api' | 'fc3-api';

export interface InvocationRecord {
  requestId: string;
  via: InvocationPath;
  async: boolean;
  /** Set once the handler finished: 'result', or FC's error type. */
  outcome?: 'result' | 'UnhandledInvocationError' | 'InitializationError';
}

export interface FcRuntime {
  url: string;
  functionName: string;
  serviceName: string;
  accountId: string;
  region: string;
  httpTrigger: HttpTriggerConfig;
  callerCredentials: AccessCredentials;
  /** Every invocation that reached a handler, in arrival order. */
  invocations: InvocationRecord[];
  /** Resolves when the background (async) invocations running now have finished. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

const FC2_INVOKE = /^\/2016-08-15\/services\/([^/]+)\/functions\/([^/]+)\/invocations$/;
const FC3_INVOKE = /^\/2023-03-30\/functions\/([^/]+)\/invocations$/;
const API_PREFIX = /^\/(2016-08-15|2023-03-30)\//;
/** FC's own role credentials live 36 h; renewing 5 min early keeps a running handler's valid. */
const ROLE_CREDENTIAL_TTL_SECONDS = 36 * 3600;
const RENEW_BEFORE_MS = 5 * 60 * 1000;

const newRequestId = (): string =>
  `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;

function sendApiError(
  res: ServerResponse,
  requestId: string,
  failure: AuthFailure,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(failure.status, {
      'content-type': 'application/json',
      'x-fc-request-id': requestId,
      ...headers,
    })
    .end(JSON.stringify({ ErrorCode: failure.code, ErrorMessage: failure.message }));
}

/** FC answers a function's failure with 200 and X-Fc-Error-Type (FC3 Node.js error handling, doc 2512969). */
function writeOutcome(
  res: ServerResponse,
  requestId: string,
  outcome: InvocationOutcome,
  writeResult: (output: Extract<InvocationOutcome, { kind: 'result' }>['output']) => void,
): void {
  if (outcome.kind === 'result') {
    writeResult(outcome.output);
    return;
  }
  res
    .writeHead(200, {
      'content-type': 'application/json',
      'x-fc-request-id': requestId,
      'x-fc-error-type': outcome.errorType,
    })
    .end(JSON.stringify(outcome.error));
}

/** What the runtime serves with, resolved once from the options, s.yaml and FC's defaults. */
interface RuntimeSettings {
  bundlePath: string;
  functionName: string;
  serviceName: string;
  handler: string;
  initializer?: string;
  memory: number;
  timeoutSeconds: number;
  region: string;
  accountId: string;
  httpTrigger: HttpTriggerConfig;
}

function resolveSettings(options: FcRuntimeOptions): RuntimeSettings {
  const sYamlPath =
    options.sYamlPath === undefined ? resolve(REPO_ROOT, 's.yaml') : options.sYamlPath;
  const deployed = sYamlPath ? readDeployedFunctionConfig(sYamlPath) : {};
  const bundlePath = resolve(options.bundlePath ?? resolve(REPO_ROOT, 'dist/index.js'));
  const functionName = options.functionName ?? deployed.functionName ?? 'detach-key-pair';
  return {
    bundlePath,
    functionName,
    serviceName: options.serviceName ?? functionName,
    handler:
      options.handler ?? deployed.handler ?? `${basename(bundlePath, extname(bundlePath))}.handler`,
    initializer: options.initializer ?? deployed.initializer,
    memory: options.memorySize ?? deployed.memorySize ?? 512,
    timeoutSeconds: options.timeoutSeconds ?? deployed.timeout ?? 60,
    region: options.region ?? deployed.region ?? 'cn-hangzhou',
    accountId: options.accountId ?? '1234567890123456',
    httpTrigger: { ...DEFAULT_HTTP_TRIGGER, ...deployed.httpTrigger, ...options.httpTrigger },
  };
}

/**
 * `context.credentials` for each invocation: the fixed ones when given, else the role's STS
 * credentials from the emulator, re-issued before they expire.
 */
function roleCredentialSource(options: FcRuntimeOptions): () => InvocationContext['credentials'] {
  let roleCredentials: IssuedCredentials | undefined = options.credentials;
  return () => {
    const { ecsEmulator } = options;
    if (!ecsEmulator || options.credentials) return roleCredentials ?? {};
    const expiresAt = Date.parse(roleCredentials?.expiration ?? '');
    if (!roleCredentials || !(expiresAt - Date.now() > RENEW_BEFORE_MS)) {
      roleCredentials = ecsEmulator.issueCredentials({
        sts: true,
        ttlSeconds: ROLE_CREDENTIAL_TTL_SECONDS,
        ...(options.rolePolicy !== undefined && { policy: options.rolePolicy }),
      });
    }
    const { accessKeyId, accessKeySecret, securityToken } = roleCredentials;
    return { accessKeyId, accessKeySecret, securityToken };
  };
}

const exportOf = (entry: string): string => entry.slice(entry.lastIndexOf('.') + 1);

function startInstancePool(settings: RuntimeSettings, options: FcRuntimeOptions): InstancePool {
  const { bundlePath, functionName, handler, initializer, memory, region, accountId } = settings;
  return new InstancePool({
    maxInstances: options.maxInstances,
    setup: (context) => ({
      bundlePath,
      handlerExport: exportOf(handler),
      initializerExport: initializer && exportOf(initializer),
      initializerContext: context,
    }),
    // FC gives a function its own variables, never the caller's shell (no stray ALIBABA_CLOUD_* keys).
    env: {
      PATH: process.env.PATH ?? '',
      FC_FUNCTION_NAME: functionName,
      FC_FUNCTION_HANDLER: handler,
      FC_FUNCTION_MEMORY_SIZE: String(memory),
      FC_REGION: region,
      FC_ACCOUNT_ID: accountId,
      ...options.env,
    },
  });
}

/** Runs invocations on the pool, keeps their record, and tracks those running in the background. */
interface Invoker {
  records: InvocationRecord[];
  invoke(
    via: InvocationPath,
    event: Buffer,
    requestId: string,
    isAsync: boolean,
  ): Promise<InvocationOutcome>;
  /** Starts an async invocation and returns at once. */
  invokeInBackground(via: InvocationPath, event: Buffer, requestId: string): void;
  settled(): Promise<void>;
}

function createInvoker(
  settings: RuntimeSettings,
  pool: InstancePool,
  credentials: () => InvocationContext['credentials'],
): Invoker {
  const { functionName, serviceName, handler, memory, timeoutSeconds, region, accountId } =
    settings;
  const contextFor = (requestId: string): InvocationContext => ({
    requestId,
    credentials: credentials(),
    function: { name: functionName, handler, memory, timeout: timeoutSeconds },
    service: { name: serviceName, qualifier: 'LATEST', logProject: '', logStore: '' },
    region,
    accountId,
  });
  const records: InvocationRecord[] = [];
  const background = new Set<Promise<unknown>>();
  const invoke: Invoker['invoke'] = async (via, event, requestId, isAsync) => {
    const record: InvocationRecord = { requestId, via, async: isAsync };
    records.push(record);
    const outcome = await pool.invoke(event, contextFor(requestId), timeoutSeconds * 1000);
    record.outcome = outcome.kind === 'result' ? 'result' : outcome.errorType;
    return outcome;
  };
  return {
    records,
    invoke,
    invokeInBackground(via, event, requestId) {
      const running = invoke(via, event, requestId, true);
      background.add(running);
      void running.finally(() => background.delete(running));
    },
    settled: async () => {
      await Promise.allSettled([...background]);
    },
  };
}

/** What the request handlers share. */
interface Gateway {
  settings: RuntimeSettings;
  auth: CallerAuth;
  invoker: Invoker;
}

/** One request as it arrived, its body read. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  method: string;
  url: URL;
  body: Buffer;
}

const acs3Request = ({ method, url, req, body }: Exchange): ReceivedRequest => ({
  method,
  path: url.pathname,
  query: Object.fromEntries(url.searchParams),
  headers: req.headers,
  body,
});

const notFound = (what: string, name: string): AuthFailure => ({
  status: 404,
  code: `${what}NotFound`,
  message: `${what.toLowerCase()} '${name}' does not exist`,
});

/** Sync answers the outcome; async answers 202 at once and lets the handler run on. */
async function invokeViaApi(
  { invoker }: Gateway,
  via: InvocationPath,
  { req, res, body, requestId }: Exchange,
): Promise<void> {
  if (String(req.headers['x-fc-invocation-type']).toLowerCase() === 'async') {
    invoker.invokeInBackground(via, body, requestId);
    res.writeHead(202, { 'x-fc-request-id': requestId }).end();
    return;
  }
  const outcome = await invoker.invoke(via, body, requestId, false);
  writeOutcome(res, requestId, outcome, (output) => {
    res.setHeader('x-fc-request-id', requestId);
    writeConvertedOutput(res, output, 200);
  });
}

/** FC 2.0 InvokeFunction, as @alicloud/fc2 calls it: `services/{service[.qualifier]}/functions/{fn}`. */
async function serveFc2Api(
  gateway: Gateway,
  exchange: Exchange,
  [, servicePart, functionPart]: RegExpExecArray,
): Promise<void> {
  const { settings, auth } = gateway;
  const { req, res, method, url, body, requestId } = exchange;
  const failure = auth.verifyFc2(method, url.pathname, req.headers, body);
  if (failure) return sendApiError(res, requestId, failure);
  const [service, qualifier = 'LATEST'] = decodeURIComponent(servicePart).split('.');
  const accountHeader = req.headers['x-fc-account-id'];
  if (accountHeader !== undefined && accountHeader !== settings.accountId) {
    return sendApiError(res, requestId, {
      status: 403,
      code: 'AccessDenied',
      message: `this caller may not invoke functions of account '${String(accountHeader)}'`,
    });
  }
  if (service !== settings.serviceName)
    return sendApiError(res, requestId, notFound('Service', service));
  if (qualifier !== 'LATEST') return sendApiError(res, requestId, notFound('Alias', qualifier));
  const fn = decodeURIComponent(functionPart);
  if (fn !== settings.functionName) return sendApiError(res, requestId, notFound('Function', fn));
  return invokeViaApi(gateway, 'fc2-api', exchange);
}

/** FC 3.0 InvokeFunction: `/2023-03-30/functions/{fn}/invocations`, an OpenAPI call. */
async function serveFc3Api(
  gateway: Gateway,
  exchange: Exchange,
  [, functionPart]: RegExpExecArray,
): Promise<void> {
  const { res, requestId } = exchange;
  const failure = gateway.auth.verifyAcs3(acs3Request(exchange), FC_API_SIGNED_HEADERS);
  if (failure) return sendApiError(res, requestId, failure);
  const fn = decodeURIComponent(functionPart);
  if (fn !== gateway.settings.functionName)
    return sendApiError(res, requestId, notFound('Function', fn));
  return invokeViaApi(gateway, 'fc3-api', exchange);
}

/** The HTTP trigger: its methods and auth type, then the `v1` event in and the response out. */
async function serveHttpTrigger(gateway: Gateway, exchange: Exchange): Promise<void> {
  const { settings, auth, invoker } = gateway;
  const { httpTrigger } = settings;
  const { req, res, method, body, requestId } = exchange;
  if (!httpTrigger.methods.includes(method)) {
    const allowed = httpTrigger.methods.join(', ');
    // RFC 9110 §15.5.6: a 405 must say, in Allow, which methods the resource does support.
    return sendApiError(
      res,
      requestId,
      {
        status: 405,
        code: 'MethodNotAllowed',
        message: `the HTTP trigger accepts ${allowed}`,
      },
      { allow: allowed },
    );
  }
  if (httpTrigger.authType === 'jwt') {
    return sendApiError(res, requestId, {
      status: 403,
      code: 'AccessDenied',
      message: 'jwt authentication is not emulated locally; use authType function or anonymous',
    });
  }
  if (httpTrigger.authType === 'function') {
    const failure = auth.verifyAcs3(acs3Request(exchange), TRIGGER_SIGNED_HEADERS);
    if (failure) return sendApiError(res, requestId, failure);
  }
  const event = buildHttpEvent(req, body, {
    accountId: settings.accountId,
    region: settings.region,
    requestId,
    domainPrefix: settings.functionName,
  });
  const outcome = await invoker.invoke('http-trigger', event, requestId, false);
  writeOutcome(res, requestId, outcome, (output) =>
    writeHttpTriggerResponse(res, output, requestId),
  );
}

/** Reads the body, then hands the request to the FC API it names or, outside them, the trigger. */
async function route(
  gateway: Gateway,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
): Promise<void> {
  const exchange: Exchange = {
    body: await buffer(req),
    url: new URL(req.url ?? '/', 'http://127.0.0.1'),
    method: req.method ?? 'GET',
    req,
    res,
    requestId,
  };
  const { pathname } = exchange.url;
  const fc2 = FC2_INVOKE.exec(pathname);
  if (fc2 && exchange.method === 'POST') return serveFc2Api(gateway, exchange, fc2);
  const fc3 = FC3_INVOKE.exec(pathname);
  if (fc3 && exchange.method === 'POST') return serveFc3Api(gateway, exchange, fc3);
  if (API_PREFIX.test(pathname)) {
    return sendApiError(res, requestId, {
      status: 404,
      code: 'NotFound',
      message: `the local runtime serves only InvokeFunction, not ${exchange.method} ${pathname}`,
    });
  }
  return serveHttpTrigger(gateway, exchange);
}

/** Listens on loopback; a request that fails unexpectedly gets FC's 500, never a hang. */
async function listen(gateway: Gateway, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const requestId = newRequestId();
    route(gateway, req, res, requestId).catch((error: unknown) => {
      if (!res.headersSent) {
        sendApiError(res, requestId, {
          status: 500,
          code: 'InternalServerError',
          message: error instanceof Error ? error.message : String(error),
        });
      }
    });
  });
  await new Promise<void>((listening) => server.listen(port, '127.0.0.1', listening));
  return server;
}

export async function startFcRuntime(options: FcRuntimeOptions = {}): Promise<FcRuntime> {
  const settings = resolveSettings(options);
  const callerCredentials = options.callers?.[0] ?? generateCallerCredential();
  const auth = new CallerAuth(options.callers ?? [callerCredentials]);
  const pool = startInstancePool(settings, options);
  const invoker = createInvoker(settings, pool, roleCredentialSource(options));
  const server = await listen({ settings, auth, invoker }, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  const { functionName, serviceName, accountId, region, httpTrigger } = settings;

  return {
    url: `http://127.0.0.1:${port}`,
    functionName,
    serviceName,
    accountId,
    region,
    httpTrigger,
    callerCredentials,
    invocations: invoker.records,
    settled: invoker.settled,
    stop: async () => {
      server.closeAllConnections();
      await Promise.all([
        new Promise<void>((closed) => server.close(() => closed())),
        pool.close(),
      ]);
    },
  };
}
