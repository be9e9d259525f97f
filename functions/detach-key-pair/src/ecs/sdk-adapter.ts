/**
 * The ECS port over the real SDK path: openapi-core's Client (signing, HTTP) with the
 * per-operation request models of `@alicloud/ecs20140526`. Its all-operations client.js is never
 * loaded: it costs several times a bare Node start. The calls below send what the SDK's
 * `describeInstancesWithOptions` / `detachKeyPairWithOptions` send. Answers are read from ECS's
 * JSON as parsed, not cast into the SDK's response models: a 100-instance DescribeInstances page
 * would become hundreds of model objects, only to have three fields read from each.
 */
import { createHash } from 'node:crypto';
import OpenApi, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import Credential from '@alicloud/credentials';
import * as $dara from '@darabonba/typescript';
import {
  DescribeInstancesRequest,
  DescribeInstancesRequestTag,
} from '@alicloud/ecs20140526/dist/models/DescribeInstancesRequest';
import { DeleteKeyPairsRequest } from '@alicloud/ecs20140526/dist/models/DeleteKeyPairsRequest';
import { DescribeRegionsRequest } from '@alicloud/ecs20140526/dist/models/DescribeRegionsRequest';
import { DescribeKeyPairsRequest } from '@alicloud/ecs20140526/dist/models/DescribeKeyPairsRequest';
import { DetachKeyPairRequest } from '@alicloud/ecs20140526/dist/models/DetachKeyPairRequest';
import { DescribeCloudAssistantStatusRequest } from '@alicloud/ecs20140526/dist/models/DescribeCloudAssistantStatusRequest';
import { DescribeInstanceStatusRequest } from '@alicloud/ecs20140526/dist/models/DescribeInstanceStatusRequest';
import { DescribeInvocationsRequest } from '@alicloud/ecs20140526/dist/models/DescribeInvocationsRequest';
import { RebootInstancesRequest } from '@alicloud/ecs20140526/dist/models/RebootInstancesRequest';
import { RunCommandRequest } from '@alicloud/ecs20140526/dist/models/RunCommandRequest';
import { EcsCallError, type EcsFailureKind } from '../errors';
import { isRecord } from '../values';
import type { EcsEndpoint } from './endpoint';
import type {
  AccessCredentials,
  AgentStatusInput,
  AgentStatusPage,
  CallOptions,
  DeleteKeyPairsInput,
  DeleteKeyPairsReply,
  DescribeInstancesInput,
  DescribeInstancesPage,
  DetachKeyPairInput,
  DetachKeyPairReply,
  EcsPort,
  InstanceStatusInput,
  InstanceStatusPage,
  InvocationsInput,
  InvocationsPage,
  KeyPairLookup,
  KeyPairLookupInput,
  LooseScalar,
  RebootInstancesInput,
  RebootInstancesReply,
  RegionsReply,
  RunCommandInput,
  RunCommandReply,
} from './port';

const API_VERSION = '2014-05-26';
const USER_AGENT = 'detach-key-pair';

/** Built once per action: callApi only reads them, and every call of an action sends the same. */
const paramsByAction = new Map<string, $OpenApiUtil.Params>();

export function rpcParams(action: string): $OpenApiUtil.Params {
  let params = paramsByAction.get(action);
  if (!params) {
    params = new $OpenApiUtil.Params({
      action,
      version: API_VERSION,
      protocol: 'HTTPS',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    paramsByAction.set(action, params);
  }
  return params;
}

/**
 * Both fitted to the time left. httpx hands connectTimeout to Node as the socket's *idle*
 * timeout, which also runs while ECS is preparing its answer: a shorter one would abandon slow
 * answers (and leave detaches unconfirmed), so it cannot bound the connect alone, and a slow
 * connect could stretch a call past them. withinTime() bounds the whole call instead.
 */
function runtimeFor(options: CallOptions): $dara.RuntimeOptions {
  const timeout = Math.max(1, Math.floor(options.timeoutMs));
  return new $dara.RuntimeOptions({ connectTimeout: timeout, readTimeout: timeout });
}

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  requestId?: unknown;
  retryAfter?: unknown;
  message?: unknown;
}

const FORBIDDEN_CODES = /^(Forbidden|NoPermission)/;
const CREDENTIAL_CODES = /^(InvalidSecurityToken|InvalidAccessKeyId|SignatureDoesNotMatch)/;

function classify(name: string, code: string, statusCode: number | undefined): EcsFailureKind {
  if (name === 'ThrottlingError' || code.includes('Throttling')) return 'throttled';
  if (name === 'RequestTimeoutError') return 'timeout';
  if (statusCode === undefined) return 'network';
  if (statusCode >= 500) return 'server';
  if (code === 'InvalidKeyPairName.NotFound') return 'keyPairNotFound';
  if (code === 'InvalidRegionId.NotFound') return 'regionNotFound';
  if (CREDENTIAL_CODES.test(code)) return 'credentials';
  if (FORBIDDEN_CODES.test(code)) return 'forbidden';
  return 'client';
}

const FALLBACK_CODES: Record<EcsFailureKind, string> = {
  throttled: 'Throttling',
  server: 'ServiceUnavailable',
  network: 'NetworkError',
  timeout: 'RequestTimeout',
  forbidden: 'Forbidden',
  credentials: 'InvalidSecurityToken',
  keyPairNotFound: 'InvalidKeyPairName.NotFound',
  regionNotFound: 'InvalidRegionId.NotFound',
  client: 'InvalidResponse',
};

/**
 * Keeps only what reporting needs. The SDK's message for HTTP errors is ECS's own message; for
 * anything else (sockets, parse failures) it is replaced, since it may name hosts or internals.
 */
export function toEcsCallError(action: string, error: unknown): EcsCallError {
  const shape: SdkErrorShape = typeof error === 'object' && error !== null ? error : {};
  const name = typeof shape.name === 'string' ? shape.name : '';
  const statusCode = typeof shape.statusCode === 'number' ? shape.statusCode : undefined;
  const rawCode = typeof shape.code === 'string' && shape.code !== 'undefined' ? shape.code : '';
  const kind = classify(name, rawCode, statusCode);
  const code = statusCode === undefined || rawCode === '' ? FALLBACK_CODES[kind] : rawCode;
  const requestId =
    typeof shape.requestId === 'string' && shape.requestId !== 'undefined'
      ? shape.requestId
      : undefined;
  const retryAfterMs =
    typeof shape.retryAfter === 'number' && shape.retryAfter > 0 ? shape.retryAfter : undefined;
  const message =
    statusCode !== undefined && typeof shape.message === 'string'
      ? shape.message
      : `${action} failed: ${kind === 'timeout' ? 'ECS did not answer in time' : 'no valid answer from ECS'}.`;
  return new EcsCallError(
    action,
    kind,
    code,
    message,
    { statusCode, requestId, retryAfterMs },
    { cause: error },
  );
}

type JsonObject = Record<string, unknown>;

/** An answer that is not what ECS sends: the call fails as the SDK's cast would have failed it. */
function malformed(path: string): never {
  throw new TypeError(`ECS answered with an unexpected ${path}.`);
}

/** ECS wraps lists in an object: `"Instances": {"Instance": [...]}`. Absent means empty. */
function listOf(body: JsonObject, outer: string, inner: string): JsonObject[] {
  const wrapper = body[outer];
  if (wrapper === undefined || wrapper === null) return [];
  if (!isRecord(wrapper)) return malformed(outer);
  const list = wrapper[inner];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list) || !list.every(isRecord)) return malformed(`${outer}.${inner}`);
  return list;
}

function scalar(record: JsonObject, name: string): LooseScalar {
  const value = record[name];
  const type = typeof value;
  if (value === undefined || value === null) return value;
  if (type === 'string' || type === 'number' || type === 'boolean') return value as LooseScalar;
  return malformed(name);
}

/** RequestId and NextToken: the SDK's models declare them strings, and render numbers as such. */
function optionalText(record: JsonObject, name: string): string | undefined {
  const value = scalar(record, name);
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

/**
 * The call's answer, or a RequestTimeoutError once `timeoutMs` has passed, whatever the transport
 * is doing: no call may outlast the time left before the function's deadline. An abandoned call
 * is answered as a timeout, which the job treats as a possibly lost answer and re-checks.
 */
export function withinTime<T>(call: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`No answer within ${timeoutMs} ms.`);
      error.name = 'RequestTimeoutError';
      reject(error);
    }, timeoutMs);
  });
  // The abandoned call still settles later; its outcome is no longer anyone's to handle.
  call.catch(() => undefined);
  return Promise.race([call, expired]).finally(() => clearTimeout(timer));
}

class EcsSdkPort implements EcsPort {
  constructor(private readonly client: OpenApi) {}

  private async call<T>(
    action: string,
    query: Record<string, unknown>,
    options: CallOptions,
    read: (body: JsonObject) => T,
  ): Promise<T> {
    try {
      const request = new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query(query) });
      const raw: unknown = await withinTime(
        this.client.callApi(rpcParams(action), request, runtimeFor(options)),
        Math.max(1, Math.floor(options.timeoutMs)),
      );
      const body = isRecord(raw) ? raw.body : undefined;
      if (body !== undefined && body !== null && !isRecord(body)) return malformed('body');
      return read(body ?? {});
    } catch (error) {
      throw toEcsCallError(action, error);
    }
  }

  async describeInstances(
    input: DescribeInstancesInput,
    options: CallOptions,
  ): Promise<DescribeInstancesPage> {
    const request = new DescribeInstancesRequest({
      regionId: input.regionId,
      instanceIds: input.instanceIds && JSON.stringify(input.instanceIds),
      keyPairName: input.keyPairName,
      tag: input.tags?.map(
        (tag) => new DescribeInstancesRequestTag({ key: tag.Key, value: tag.Value }),
      ),
      maxResults: 100,
      nextToken: input.nextToken,
    });
    request.validate();
    return this.call(
      'DescribeInstances',
      {
        RegionId: request.regionId,
        InstanceIds: request.instanceIds,
        KeyPairName: request.keyPairName,
        Tag: request.tag,
        MaxResults: request.maxResults,
        NextToken: request.nextToken,
      },
      options,
      (body) => ({
        requestId: optionalText(body, 'RequestId'),
        nextToken: optionalText(body, 'NextToken'),
        instances: listOf(body, 'Instances', 'Instance').map((instance) => ({
          instanceId: scalar(instance, 'InstanceId'),
          osType: scalar(instance, 'OSType'),
          keyPairName: scalar(instance, 'KeyPairName'),
        })),
      }),
    );
  }

  async detachKeyPair(
    input: DetachKeyPairInput,
    options: CallOptions,
  ): Promise<DetachKeyPairReply> {
    const request = new DetachKeyPairRequest({
      regionId: input.regionId,
      keyPairName: input.keyPairName,
      instanceIds: JSON.stringify(input.instanceIds),
    });
    request.validate();
    return this.call(
      'DetachKeyPair',
      {
        RegionId: request.regionId,
        KeyPairName: request.keyPairName,
        InstanceIds: request.instanceIds,
      },
      options,
      (body) => ({
        requestId: optionalText(body, 'RequestId'),
        results: listOf(body, 'Results', 'Result').map((entry) => ({
          instanceId: scalar(entry, 'InstanceId'),
          success: scalar(entry, 'Success'),
          code: scalar(entry, 'Code'),
          message: scalar(entry, 'Message'),
        })),
      }),
    );
  }

  async findKeyPair(input: KeyPairLookupInput, options: CallOptions): Promise<KeyPairLookup> {
    const request = new DescribeKeyPairsRequest({
      regionId: input.regionId,
      keyPairName: input.keyPairName,
      includePublicKey: input.includePublicKey,
    });
    request.validate();
    return this.call(
      'DescribeKeyPairs',
      {
        RegionId: request.regionId,
        KeyPairName: request.keyPairName,
        IncludePublicKey: request.includePublicKey,
      },
      options,
      (body) => {
        // The name is matched exactly: validation refuses the `*` that would make it a wildcard.
        const keyPair = listOf(body, 'KeyPairs', 'KeyPair').find(
          (candidate) => scalar(candidate, 'KeyPairName') === input.keyPairName,
        );
        return {
          requestId: optionalText(body, 'RequestId'),
          exists: keyPair !== undefined,
          publicKey: keyPair && optionalText(keyPair, 'PublicKey'),
          fingerprint: keyPair && optionalText(keyPair, 'KeyPairFingerPrint'),
        };
      },
    );
  }

  async deleteKeyPairs(
    input: DeleteKeyPairsInput,
    options: CallOptions,
  ): Promise<DeleteKeyPairsReply> {
    const request = new DeleteKeyPairsRequest({
      regionId: input.regionId,
      keyPairNames: JSON.stringify(input.keyPairNames),
    });
    request.validate();
    return this.call(
      'DeleteKeyPairs',
      { RegionId: request.regionId, KeyPairNames: request.keyPairNames },
      options,
      (body) => ({ requestId: optionalText(body, 'RequestId') }),
    );
  }

  async describeRegions(options: CallOptions): Promise<RegionsReply> {
    const request = new DescribeRegionsRequest({});
    request.validate();
    return this.call('DescribeRegions', {}, options, (body) => ({
      requestId: optionalText(body, 'RequestId'),
      regionIds: listOf(body, 'Regions', 'Region').map((region) => scalar(region, 'RegionId')),
    }));
  }

  async describeCloudAssistantStatus(
    input: AgentStatusInput,
    options: CallOptions,
  ): Promise<AgentStatusPage> {
    const request = new DescribeCloudAssistantStatusRequest({
      regionId: input.regionId,
      instanceId: input.instanceIds,
      maxResults: input.instanceIds.length,
      nextToken: input.nextToken,
    });
    request.validate();
    return this.call(
      'DescribeCloudAssistantStatus',
      {
        RegionId: request.regionId,
        InstanceId: request.instanceId,
        MaxResults: request.maxResults,
        NextToken: request.nextToken,
      },
      options,
      (body) => ({
        requestId: optionalText(body, 'RequestId'),
        nextToken: optionalText(body, 'NextToken'),
        statuses: listOf(
          body,
          'InstanceCloudAssistantStatusSet',
          'InstanceCloudAssistantStatus',
        ).map((status) => ({
          instanceId: scalar(status, 'InstanceId'),
          online: scalar(status, 'CloudAssistantStatus'),
        })),
      }),
    );
  }

  async runCommand(input: RunCommandInput, options: CallOptions): Promise<RunCommandReply> {
    const request = new RunCommandRequest({
      regionId: input.regionId,
      instanceId: input.instanceIds,
      type: 'RunShellScript',
      commandContent: input.commandContentBase64,
      contentEncoding: 'Base64',
      timeout: input.timeoutSeconds,
      clientToken: input.clientToken,
      username: 'root',
      repeatMode: 'Once',
      name: input.commandName,
    });
    request.validate();
    return this.call(
      'RunCommand',
      {
        RegionId: request.regionId,
        InstanceId: request.instanceId,
        Type: request.type,
        CommandContent: request.commandContent,
        ContentEncoding: request.contentEncoding,
        Timeout: request.timeout,
        ClientToken: request.clientToken,
        Username: request.username,
        RepeatMode: request.repeatMode,
        Name: request.name,
      },
      options,
      (body) => ({
        requestId: optionalText(body, 'RequestId'),
        invokeId: optionalText(body, 'InvokeId'),
      }),
    );
  }

  async describeInvocations(
    input: InvocationsInput,
    options: CallOptions,
  ): Promise<InvocationsPage> {
    const request = new DescribeInvocationsRequest({
      regionId: input.regionId,
      invokeId: input.invokeId,
      includeOutput: true,
    });
    request.validate();
    return this.call(
      'DescribeInvocations',
      {
        RegionId: request.regionId,
        InvokeId: request.invokeId,
        IncludeOutput: request.includeOutput,
      },
      options,
      (body) => ({
        requestId: optionalText(body, 'RequestId'),
        invocations: listOf(body, 'Invocations', 'Invocation').map((invocation) => ({
          invokeId: scalar(invocation, 'InvokeId'),
          instances: listOf(invocation, 'InvokeInstances', 'InvokeInstance').map((instance) => ({
            instanceId: scalar(instance, 'InstanceId'),
            invocationStatus: scalar(instance, 'InvocationStatus'),
            exitCode: scalar(instance, 'ExitCode'),
            errorCode: scalar(instance, 'ErrorCode'),
            errorInfo: scalar(instance, 'ErrorInfo'),
            output: scalar(instance, 'Output'),
            dropped: scalar(instance, 'Dropped'),
          })),
        })),
      }),
    );
  }

  async rebootInstances(
    input: RebootInstancesInput,
    options: CallOptions,
  ): Promise<RebootInstancesReply> {
    const request = new RebootInstancesRequest({
      regionId: input.regionId,
      instanceId: input.instanceIds,
      forceReboot: input.forceReboot,
      batchOptimization: 'SuccessFirst',
    });
    request.validate();
    return this.call(
      'RebootInstances',
      {
        RegionId: request.regionId,
        InstanceId: request.instanceId,
        ForceReboot: request.forceReboot,
        BatchOptimization: request.batchOptimization,
      },
      options,
      (body) => ({
        requestId: optionalText(body, 'RequestId'),
        instances: listOf(body, 'InstanceResponses', 'InstanceResponse').map((instance) => ({
          instanceId: scalar(instance, 'InstanceId'),
          code: scalar(instance, 'Code'),
          message: scalar(instance, 'Message'),
        })),
      }),
    );
  }

  async describeInstanceStatus(
    input: InstanceStatusInput,
    options: CallOptions,
  ): Promise<InstanceStatusPage> {
    const request = new DescribeInstanceStatusRequest({
      regionId: input.regionId,
      instanceId: input.instanceIds,
      pageNumber: input.pageNumber,
      pageSize: 50,
    });
    request.validate();
    return this.call(
      'DescribeInstanceStatus',
      {
        RegionId: request.regionId,
        InstanceId: request.instanceId,
        PageNumber: request.pageNumber,
        PageSize: request.pageSize,
      },
      options,
      (body) => ({
        requestId: optionalText(body, 'RequestId'),
        totalCount: scalar(body, 'TotalCount'),
        statuses: listOf(body, 'InstanceStatuses', 'InstanceStatus').map((status) => ({
          instanceId: scalar(status, 'InstanceId'),
          status: scalar(status, 'Status'),
        })),
      }),
    );
  }
}

/** Warm invocations reuse clients (and their keep-alive sockets); STS rotation adds a few. */
const MAX_CACHED_CLIENTS = 8;
const clients = new Map<string, EcsPort>();

function cacheKey(credentials: AccessCredentials | undefined, endpoint: EcsEndpoint): string {
  // A digest, so no secret sits in a Map key that a heap dump or a debug print could show.
  const identity = credentials
    ? [credentials.accessKeyId, credentials.accessKeySecret, credentials.securityToken ?? '']
    : ['default-chain'];
  return createHash('sha256')
    .update([...identity, endpoint.protocol, endpoint.host].join('\0'))
    .digest('hex');
}

/** What openapi-core reads from a credential before signing: getCredential()'s fields. */
interface SigningCredentialModel {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  type: 'sts' | 'access_key';
  providerName: 'static_sts' | 'static_ak';
}

/**
 * FC's credentials as the credentials package's static providers would give them (the same
 * type and x-acs-credentials-provider header), without loading that package: given an access
 * key, openapi-core would construct it, which costs more at start-up than the rest of the client.
 */
function staticCredential({ accessKeyId, accessKeySecret, securityToken }: AccessCredentials): {
  getCredential(): Promise<SigningCredentialModel>;
} {
  const model: SigningCredentialModel = securityToken
    ? { accessKeyId, accessKeySecret, securityToken, type: 'sts', providerName: 'static_sts' }
    : { accessKeyId, accessKeySecret, type: 'access_key', providerName: 'static_ak' };
  return { getCredential: async () => ({ ...model }) };
}

function createClient(
  credentials: AccessCredentials | undefined,
  endpoint: EcsEndpoint,
  regionId: string,
): OpenApi {
  const config = new $OpenApiUtil.Config({
    endpoint: endpoint.host,
    protocol: endpoint.protocol,
    regionId,
    userAgent: USER_AGENT,
  });
  // Credential is a class with a private member, so nothing but itself matches its type; the
  // client only calls getCredential() on it (openapi-core client.js, doRequest).
  config.credential = credentials
    ? (staticCredential(credentials) as unknown as Credential)
    : // Local runs: ALIBABA_CLOUD_ACCESS_KEY_ID and the rest of the default chain.
      new Credential();
  return new OpenApi(config);
}

/** One port per credentials and endpoint, kept across warm invocations. */
export function ecsPortFor(
  credentials: AccessCredentials | undefined,
  endpoint: EcsEndpoint,
  regionId: string,
): EcsPort {
  const key = cacheKey(credentials, endpoint);
  const cached = clients.get(key);
  if (cached) return cached;
  if (clients.size >= MAX_CACHED_CLIENTS) {
    const oldest = clients.keys().next().value;
    if (oldest !== undefined) clients.delete(oldest);
  }
  const port = new EcsSdkPort(createClient(credentials, endpoint, regionId));
  clients.set(key, port);
  return port;
}
