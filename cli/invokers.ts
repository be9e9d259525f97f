/**
 * The two ways to reach the function: the FC InvokeFunction API through @alicloud/fc2, and the
 * HTTP trigger URL signed with ACS3. See docs/local-and-cli.md for which reaches what.
 */
import FCClient from '@alicloud/fc2';
import type { AccessCredentials } from '../functions/detach-key-pair/src/ecs/port';
import { signTriggerRequest } from './acs3-sign';
import { send, type HttpReply } from './http-client';
import { interpretFailure, interpretReply } from './reply';
import type { ChunkOutcome, RunRequest } from './result';

/** Invokes the function for one chunk of ids; throws RefusedError when the request is refused. */
export type Invoker = (instanceIds: string[]) => Promise<ChunkOutcome>;

export interface Fc2Target {
  kind: 'fc2';
  accountId: string;
  fcRegion: string;
  endpoint?: string;
  serviceName: string;
  functionName: string;
  qualifier?: string;
}

export interface HttpTriggerTarget {
  kind: 'http';
  url: URL;
}

export type Target = Fc2Target | HttpTriggerTarget;

// A Target selects the instances: the function refuses InstanceIds beside it.
const payloadFor = (request: RunRequest, instanceIds: string[]): Buffer =>
  Buffer.from(JSON.stringify(request.Target ? request : { ...request, InstanceIds: instanceIds }));

const headerText = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value.join(',') : value;

function fc2Invoker(
  target: Fc2Target,
  request: RunRequest,
  credentials: AccessCredentials,
  timeoutMs: number,
): Invoker {
  const client = new FCClient(target.accountId, {
    accessKeyID: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    securityToken: credentials.securityToken,
    region: target.fcRegion,
    endpoint: target.endpoint,
    timeout: timeoutMs,
  });
  return async (instanceIds) => {
    let reply: Awaited<ReturnType<FCClient['invokeFunction']>>;
    try {
      reply = await client.invokeFunction(
        target.serviceName,
        target.functionName,
        payloadFor(request, instanceIds),
        {},
        target.qualifier,
      );
    } catch (error) {
      const { message, code } = error as Error & { code?: string };
      const status = /failed with (\d{3})\./.exec(message)?.[1];
      return interpretFailure(status ? Number(status) : undefined, code, message, instanceIds);
    }
    return interpretReply(
      {
        status: 200,
        errorType: headerText(reply.headers['x-fc-error-type']),
        body: typeof reply.data === 'string' ? reply.data : JSON.stringify(reply.data),
      },
      instanceIds,
    );
  };
}

function httpTriggerInvoker(
  target: HttpTriggerTarget,
  request: RunRequest,
  credentials: AccessCredentials,
  timeoutMs: number,
): Invoker {
  return async (instanceIds) => {
    const body = payloadFor(request, instanceIds);
    let reply: HttpReply;
    try {
      reply = await send(
        target.url,
        'POST',
        signTriggerRequest(target.url, 'POST', body, credentials),
        body,
        timeoutMs,
      );
    } catch (error) {
      return interpretFailure(undefined, undefined, (error as Error).message, instanceIds);
    }
    return interpretReply(
      {
        status: reply.status,
        errorType: headerText(reply.headers['x-fc-error-type']),
        body: reply.body,
      },
      instanceIds,
    );
  };
}

export function createInvoker(
  target: Target,
  request: RunRequest,
  credentials: AccessCredentials,
  timeoutMs: number,
): Invoker {
  return target.kind === 'fc2'
    ? fc2Invoker(target, request, credentials, timeoutMs)
    : httpTriggerInvoker(target, request, credentials, timeoutMs);
}
