/**
 * The FC3 HTTP trigger contract: the request becomes the `v1` event a handler receives as a JSON
 * Buffer, and the handler's `{statusCode, headers, isBase64Encoded, body}` becomes the response
 * (https://www.alibabacloud.com/help/en/functioncompute/fc/http-trigger-invoking-function).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HandlerOutput } from './protocol';

export interface HttpEventSource {
  accountId: string;
  region: string;
  requestId: string;
  /** Stands in for the trigger id in `<id>.<region>.fcapp.run`. */
  domainPrefix: string;
}

/** Content types whose bodies FC passes as text; any other body arrives base64-encoded. */
const TEXT_CONTENT =
  /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript)|[^;]*\+(json|xml))/i;

function joinValues(entries: Iterable<[string, string]>): Record<string, string> {
  const joined: Record<string, string> = {};
  for (const [key, value] of entries) {
    joined[key] = key in joined ? `${joined[key]},${value}` : value;
  }
  return joined;
}

export function buildHttpEvent(
  req: IncomingMessage,
  body: Buffer,
  source: HttpEventSource,
): Buffer {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headerPairs: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headerPairs.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  }
  const isText = body.length === 0 || TEXT_CONTENT.test(req.headers['content-type'] ?? '');
  const now = new Date();
  const event = {
    version: 'v1',
    rawPath: url.pathname,
    headers: joinValues(headerPairs),
    queryParameters: joinValues(url.searchParams.entries()),
    body: isText ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: !isText,
    requestContext: {
      accountId: source.accountId,
      domainName: `${source.domainPrefix}.${source.region}.fcapp.run`,
      domainPrefix: source.domainPrefix,
      requestId: source.requestId,
      time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      timeEpoch: String(now.getTime()),
      http: {
        method: req.method ?? 'GET',
        path: decodeURIComponent(url.pathname),
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: req.headers['user-agent'] ?? '',
      },
    },
  };
  return Buffer.from(JSON.stringify(event));
}

interface HttpTriggerResponse {
  statusCode: number;
  headers?: Record<string, string>;
  isBase64Encoded?: boolean;
  body?: string;
}

function asTriggerResponse(json: string): HttpTriggerResponse | undefined {
  const value: unknown = JSON.parse(json);
  if (typeof value !== 'object' || value === null || !('statusCode' in value)) return undefined;
  return typeof value.statusCode === 'number' ? (value as HttpTriggerResponse) : undefined;
}

/**
 * Writes the handler's answer. FC documents only the `{statusCode,...}` shape; anything else is
 * sent as a 200 with the converted value, which is what a handler returning plain data expects.
 */
export function writeHttpTriggerResponse(
  res: ServerResponse,
  output: HandlerOutput,
  requestId: string,
): void {
  res.setHeader('x-fc-request-id', requestId);
  const shaped = output.kind === 'json' ? asTriggerResponse(output.json) : undefined;
  if (shaped) {
    for (const [name, value] of Object.entries(shaped.headers ?? {})) res.setHeader(name, value);
    const body = shaped.body ?? '';
    res
      .writeHead(shaped.statusCode)
      .end(Buffer.from(body, shaped.isBase64Encoded ? 'base64' : 'utf8'));
    return;
  }
  writeConvertedOutput(res, output, 200);
}

/** A handler's value as FC sends it back over the invoke API. */
export function writeConvertedOutput(
  res: ServerResponse,
  output: HandlerOutput,
  status: number,
): void {
  const body =
    output.kind === 'bytes'
      ? Buffer.from(output.bytes)
      : Buffer.from(output.kind === 'json' ? output.json : output.text);
  // Not application/json even for objects: @alicloud/fc2 would parse it, and FC hands back the raw text.
  res.writeHead(status, { 'content-type': 'application/octet-stream' }).end(body);
}
