/** DescribeRegions: every region the emulator knows, each available. */
import { DEFAULT_REGIONS } from '../regions';
import type { Action } from './types';

const localNames = new Map(DEFAULT_REGIONS.map((r) => [r.regionId, r.localName]));

export const describeRegions: Action = (_params, context) => ({
  // Not tied to one region, so only a policy whose Resource spans regions allows it.
  resources: [`acs:ecs:*:${context.accountId}:*`],
  run: () => ({
    Regions: {
      Region: context.state.regions().map((regionId) => ({
        RegionId: regionId,
        LocalName: localNames.get(regionId) ?? regionId,
        RegionEndpoint: `ecs.${regionId}.aliyuncs.com`,
        Status: 'available',
      })),
    },
  }),
});
