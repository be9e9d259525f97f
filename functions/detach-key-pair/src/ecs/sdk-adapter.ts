/**
 * The ECS port over the real SDK path: openapi-core's Client (signing, HTTP) with the
 * per-operation models of `@alicloud/ecs20140526`. Its all-operations client.js is never loaded:
 * it costs several times a bare Node start. The calls below send what the SDK's
 * `describeInstancesWithOptions` / `detachKeyPairWithOptions` send.
 */
import { createHash } from 'node:crypto';
import OpenApi, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import Credential from '@alicloud/credentials';
import * as $dara from '@darabonba/typescript';
import { DescribeInstancesRequest } from '@alicloud/ecs20140526/dist/models/DescribeInstancesRequest';
import { DescribeInstancesResponse } from '@alicloud/ecs20140526/dist/models/DescribeInstancesResponse';
import { DescribeKeyPairsRequest } from '@alicloud/ecs20140526/dist/models/DescribeKeyPairsRequest';
import { DescribeKeyPairsResponse } from '@alicloud/ecs20140526/dist/models/DescribeKeyPairsResponse';
import { DetachKeyPairRequest } from '@alicloud/ecs20140526/dist/models/DetachKeyPairRequest';
import { DetachKeyPairResponse } from '@alicloud/ecs20140526/dist/models/DetachKeyPairResponse';
import { EcsCallError, type EcsFailureKind } from '../errors';
import type { EcsEndpoint } from './endpoint';
import type {
  AccessCredentials,
  CallOptions,
  DescribeInstancesInput,
  DescribeInstancesPage,
  DetachKeyPairInput,
  DetachKeyPairReply,
  EcsPort,
  KeyPairLookup,
  KeyPairLookupInput,
} from './port';

const API_VERSION = '2014-05-26';
const USER_AGENT = 'detach-key-pair';

function rpcParams(action: string): $OpenApiUtil.Params {
  return new $OpenApiUtil.Params({
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
}

function runtimeFor(options: CallOptions): $dara.RuntimeOptions {
  const timeout = Math.max(1, Math.floor(options.timeoutMs));
  return new $dara.RuntimeOptions({ readTimeout: timeout, connectTimeout: timeout });
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

class EcsSdkPort implements EcsPort {
  constructor(private readonly client: OpenApi) {}

  private async call<T>(
    action: string,
    query: Record<string, unknown>,
    options: CallOptions,
    model: T,
  ): Promise<T> {
    try {
      const request = new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query(query) });
      const raw = await this.client.callApi(rpcParams(action), request, runtimeFor(options));
      return $dara.cast<T>(raw, model);
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
      instanceIds: JSON.stringify(input.instanceIds),
      maxResults: 100,
      nextToken: input.nextToken,
    });
    request.validate();
    const response = await this.call(
      'DescribeInstances',
      {
        RegionId: request.regionId,
        InstanceIds: request.instanceIds,
        MaxResults: request.maxResults,
        NextToken: request.nextToken,
      },
      options,
      new DescribeInstancesResponse({}),
    );
    const body = response.body;
    return {
      requestId: body?.requestId,
      nextToken: body?.nextToken,
      instances: (body?.instances?.instance ?? []).map((instance) => ({
        instanceId: instance.instanceId,
        osType: instance.OSType,
        keyPairName: instance.keyPairName,
      })),
    };
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
    const response = await this.call(
      'DetachKeyPair',
      {
        RegionId: request.regionId,
        KeyPairName: request.keyPairName,
        InstanceIds: request.instanceIds,
      },
      options,
      new DetachKeyPairResponse({}),
    );
    const body = response.body;
    return {
      requestId: body?.requestId,
      totalCount: body?.totalCount,
      failCount: body?.failCount,
      results: (body?.results?.result ?? []).map((entry) => ({
        instanceId: entry.instanceId,
        success: entry.success,
        code: entry.code,
        message: entry.message,
      })),
    };
  }

  async findKeyPair(input: KeyPairLookupInput, options: CallOptions): Promise<KeyPairLookup> {
    const request = new DescribeKeyPairsRequest({
      regionId: input.regionId,
      keyPairName: input.keyPairName,
    });
    request.validate();
    const response = await this.call(
      'DescribeKeyPairs',
      { RegionId: request.regionId, KeyPairName: request.keyPairName },
      options,
      new DescribeKeyPairsResponse({}),
    );
    const body = response.body;
    // The name is matched exactly: validation refuses the `*` that would make it a wildcard.
    const names = (body?.keyPairs?.keyPair ?? []).map((keyPair) => keyPair.keyPairName);
    return { requestId: body?.requestId, exists: names.includes(input.keyPairName) };
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
  if (credentials) {
    config.accessKeyId = credentials.accessKeyId;
    config.accessKeySecret = credentials.accessKeySecret;
    config.securityToken = credentials.securityToken;
  } else {
    // Local runs: ALIBABA_CLOUD_ACCESS_KEY_ID and the rest of the default chain.
    config.credential = new Credential();
  }
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
