import EcsClient from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import {
  resolveEndpoint,
  SDK_ENDPOINT_MAP,
} from '../../functions/detach-key-pair/src/ecs/endpoint';

/** What the SDK's client keeps of its endpoint rules; both fields are protected in its types. */
interface ClientEndpoint {
  _endpointMap: Record<string, string>;
  _endpoint: string;
}

function sdkClient(regionId: string): ClientEndpoint {
  return new EcsClient(new $OpenApiUtil.Config({ regionId })) as unknown as ClientEndpoint;
}

// The function does not load the SDK's client (too heavy for a cold start) and carries a copy of
// its endpoint table instead: a new SDK version that changes the table must fail here.
const sdkTable = sdkClient('cn-hangzhou')._endpointMap;
const regions = [...new Set([...Object.keys(sdkTable), ...Object.keys(SDK_ENDPOINT_MAP)])].sort();

describe("the endpoint table is the SDK's", () => {
  it.each(regions)('%s', (regionId) => {
    // Act
    const copied = SDK_ENDPOINT_MAP[regionId];

    // Assess
    expect(copied).toBe(sdkTable[regionId]);
  });

  it.each([...regions, 'cn-shanghai', 'ap-southeast-1', 'eu-central-1', 'us-west-1'])(
    'resolves %s to the host the SDK client would call',
    (regionId) => {
      // Prepare
      const client = sdkClient(regionId);

      // Act
      const endpoint = resolveEndpoint(regionId, undefined);

      // Assess
      expect(endpoint).toStrictEqual({ host: client._endpoint, protocol: 'HTTPS' });
    },
  );
});
