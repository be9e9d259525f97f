import { performance } from 'node:perf_hooks';
import Client, { DescribeInstancesRequest, DetachKeyPairRequest } from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import type { AccessCredentials } from '../functions/detach-key-pair/src/ecs/port';
import type { DetachPayload } from './protocol';

let cached: { key: string; client: Client } | undefined;

// Kept while the credentials and endpoint stay the same, as the function keeps its own.
function clientFor(credentials: AccessCredentials, endpoint: string, regionId: string): Client {
  const key = JSON.stringify([credentials.accessKeyId, endpoint, regionId]);
  if (cached?.key !== key) {
    const url = new URL(endpoint);
    const config = new $OpenApiUtil.Config({
      ...credentials,
      endpoint: url.host,
      protocol: url.protocol.replace(':', ''),
      regionId,
    });
    cached = { key, client: new Client(config) };
  }
  return cached.client;
}

/** What a direct detach reports back to the bench, beside the time the whole of it took. */
export interface DirectDetach {
  /** The DetachKeyPair call alone: the one-call figure. */
  detachMs: number;
  body: unknown;
}

/**
 * The warm baseline: the ECS calls the handler makes for a request of at most 50 instances,
 * made with the real all-operations client. DescribeInstances for the ids (as the function plans,
 * MaxResults 100), then one DetachKeyPair for those that hold the key.
 */
export async function detachDirectly(
  payload: DetachPayload,
  credentials: AccessCredentials,
  endpoint: string,
): Promise<DirectDetach> {
  const client = clientFor(credentials, endpoint, payload.RegionId);
  const described = await client.describeInstances(
    new DescribeInstancesRequest({
      regionId: payload.RegionId,
      instanceIds: JSON.stringify(payload.InstanceIds),
      maxResults: 100,
    }),
  );
  const holders = (described.body?.instances?.instance ?? [])
    .filter((instance) => instance.keyPairName === payload.KeyPairName)
    .map((instance) => instance.instanceId);
  const started = performance.now();
  const response = await client.detachKeyPair(
    new DetachKeyPairRequest({
      regionId: payload.RegionId,
      keyPairName: payload.KeyPairName,
      instanceIds: JSON.stringify(holders),
    }),
  );
  return { detachMs: performance.now() - started, body: response.body?.toMap() };
}
