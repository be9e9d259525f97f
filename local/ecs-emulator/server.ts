/**
 * The HTTP front: ECS API 2014-05-26 RPC requests (POST or GET `/`, parameters in the query or a
 * form body, the action in `x-acs-action` or `Action`), taken through authentication, injected
 * faults, validation, RAM and the action, answered as JSON in the real shapes, and logged.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { buffer } from 'node:stream/consumers';
import { parseAcs3Authorization, type ReceivedRequest } from '../auth/acs3';
import { ACTIONS } from './actions';
import type { ActionContext } from './actions/types';
import { authenticate, type AuthSettings } from './auth';
import { EcsApiError } from './errors';
import type { FaultInjector } from './faults';
import { isAllowed } from './ram';
import type { RequestLog, RequestLogEntry } from './request-log';
import type { Waits } from './waits';

const API_VERSION = '2014-05-26';

export interface ServerParts {
  context: ActionContext;
  auth: AuthSettings;
  faults: FaultInjector;
  log: RequestLog;
  waits: Waits;
}

/** Parameters that belong to the protocol, not the action: kept out of the request log. */
const PROTOCOL_PARAMS = new Set([
  'AccessKeyId',
  'Action',
  'Format',
  'SecurityToken',
  'Signature',
  'SignatureMethod',
  'SignatureNonce',
  'SignatureType',
  'SignatureVersion',
  'Timestamp',
  'Version',
]);

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function formParams(req: IncomingMessage, body: Buffer): Record<string, string> {
  const type = headerOf(req, 'content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) return {};
  return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
}

function actionParams(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter(([key]) => !PROTOCOL_PARAMS.has(key)));
}

function claimedAccessKeyId(
  req: IncomingMessage,
  params: Record<string, string>,
): string | undefined {
  return parseAcs3Authorization(headerOf(req, 'authorization'))?.accessKeyId ?? params.AccessKeyId;
}

function send(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Markup escaped; control characters (a request's RegionId may hold them) are not XML at all. */
const escapeXml = (value: string): string =>
  value
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '\uFFFD')
    .replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);

/** An error as an XML `<Error>` document; the SDK takes it as XML on this exact content type. */
function sendXmlError(
  res: ServerResponse,
  status: number,
  fields: Record<string, string>,
  headers: Record<string, string>,
): void {
  if (res.destroyed) return;
  const elements = Object.entries(fields)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
  res.writeHead(status, { 'content-type': 'text/xml;charset=utf-8', ...headers });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error>${elements}</Error>`);
}

const forbiddenRam = (): EcsApiError =>
  new EcsApiError(
    403,
    'Forbidden.RAM',
    "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
  );

const actionNotFound = (): EcsApiError =>
  new EcsApiError(
    404,
    'InvalidAction.NotFound',
    'Specified api is not found, please check your url and method.',
  );

async function handle(
  parts: ServerParts,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const time = Date.now();
  const requestId = randomUUID().toUpperCase();
  const body = await buffer(req);
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const query = Object.fromEntries(url.searchParams);
  const params = { ...formParams(req, body), ...query };
  const actionName = headerOf(req, 'x-acs-action') ?? params.Action ?? '';
  const entry: RequestLogEntry = {
    time,
    requestId,
    action: actionName,
    accessKeyId: claimedAccessKeyId(req, params),
    params: actionParams(params),
    status: 200,
    durationMs: 0,
  };
  try {
    const method = req.method ?? 'GET';
    if (method !== 'POST' && method !== 'GET') {
      throw new EcsApiError(403, 'UnsupportedHTTPMethod', 'This http method is not supported.');
    }
    const action = ACTIONS.get(actionName);
    const version = headerOf(req, 'x-acs-version') ?? params.Version;
    if (!action || version !== API_VERSION) throw actionNotFound();
    const received: ReceivedRequest = {
      method,
      path: url.pathname,
      query,
      headers: req.headers,
      body,
    };
    const credential = authenticate(received, params, parts.auth);

    const decision = parts.faults.decide(actionName);
    if (decision.kind === 'drop') {
      entry.status = 0;
      entry.fault = 'dropped';
      req.socket.destroy();
      return;
    }
    if (decision.kind === 'fail') {
      entry.fault = decision.error.code.startsWith('Throttling') ? 'throttled' : 'error';
      throw decision.error;
    }
    await parts.waits.wait(decision.delayMs);

    const plan = action(params, parts.context);
    if (!isAllowed(credential.policy, `ecs:${actionName}`, plan.resources)) throw forbiddenRam();
    const result = plan.run();
    if (decision.holdMs > 0) {
      entry.fault = 'hang';
      await parts.waits.wait(decision.holdMs);
    }
    send(res, 200, { RequestId: requestId, ...result });
  } catch (error) {
    const apiError =
      error instanceof EcsApiError
        ? error
        : new EcsApiError(
            500,
            'InternalError',
            'The request processing has failed due to some unknown error, exception or failure.',
          );
    if (!(error instanceof EcsApiError)) console.error('ecs-emulator: unexpected error', error);
    entry.status = apiError.status;
    entry.code = apiError.code;
    const regionId = params.RegionId;
    const fields = {
      RequestId: requestId,
      HostId: regionId ? `ecs.${regionId}.aliyuncs.com` : 'ecs.aliyuncs.com',
      Code: apiError.code,
      Message: apiError.message,
    };
    if (apiError.format === 'xml') sendXmlError(res, apiError.status, fields, apiError.headers);
    else send(res, apiError.status, fields, apiError.headers);
  } finally {
    entry.durationMs = Date.now() - time;
    parts.log.add(entry);
  }
}

/**
 * The SDK sends every parameter in the query string, and a RunCommand's CommandContent may be
 * 24 KB of Base64, percent-encoded on top: far past Node's default 16 KB of request head.
 */
const MAX_REQUEST_HEAD_BYTES = 128 * 1024;

export function createEcsServer(parts: ServerParts): Server {
  return createServer({ maxHeaderSize: MAX_REQUEST_HEAD_BYTES }, (req, res) => {
    handle(parts, req, res).catch((error: unknown) => {
      console.error('ecs-emulator: request failed', error);
      res.destroy();
    });
  });
}
