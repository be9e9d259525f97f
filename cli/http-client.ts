import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One request, the whole exchange (connect, send, the complete response) bounded by `timeoutMs`.
 * Node's own `timeout` option only bounds socket idleness, which a server trickling its answer
 * never trips. The trigger URL may be http (local) or https (FC).
 */
export function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer,
  timeoutMs: number,
): Promise<HttpReply> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  let timer: NodeJS.Timeout | undefined;
  return new Promise<HttpReply>((resolve, reject) => {
    const req = request(
      url,
      { method, headers: { ...headers, 'content-length': String(body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    // The request's 'error' carries this reason, also once the response has begun.
    timer = setTimeout(
      () => req.destroy(new Error(`no complete response within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    req.on('error', reject);
    req.end(body);
  }).finally(() => clearTimeout(timer));
}
