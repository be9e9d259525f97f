import Client, { DetachKeyPairRequest } from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import type { Credentials, DetachPayload } from './protocol';

let cached: { key: string; client: Client } | undefined;

// Kept while the credentials and endpoint stay the same, as the function keeps its own.
function clientFor(credentials: Credentials, endpoint: string, regionId: string): Client {
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

/** The warm baseline: one DetachKeyPair call with the real all-operations client. */
export async function detachDirectly(
  payload: DetachPayload,
  credentials: Credentials,
  endpoint: string,
): Promise<unknown> {
  const client = clientFor(credentials, endpoint, payload.RegionId);
  const response = await client.detachKeyPair(
    new DetachKeyPairRequest({
      regionId: payload.RegionId,
      keyPairName: payload.KeyPairName,
      instanceIds: JSON.stringify(payload.InstanceIds),
    }),
  );
  return response.body?.toMap();
}
