/**
 * DescribeInstanceStatus: the status of up to 100 listed instances, or of every instance of the
 * region, paged by PageNumber/PageSize (at most 50).
 */
import { invalidParameter } from '../errors';
import { instanceArn } from '../ram';
import { pageByNumber } from './paging';
import { intParam, regionParam, repeatListParam } from './params';
import type { Action } from './types';

const MAX_IDS = 100;

export const describeInstanceStatus: Action = (params, context) => {
  const regionId = regionParam(params, context);
  const ids = repeatListParam(params, 'InstanceId');
  if (ids.length > MAX_IDS) throw invalidParameter('InstanceId');
  const pageNumber = intParam(params, 'PageNumber', {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    fallback: 1,
  });
  const pageSize = intParam(params, 'PageSize', { min: 1, max: 50, fallback: 10 });
  const zoneId = params.ZoneId || undefined;
  return {
    resources: [instanceArn(regionId, context.accountId, '*')],
    run() {
      const listed = context.state.instancesListed(regionId, ids);
      // Every emulated instance is in zone "<region>-a", as DescribeInstances says.
      const found = zoneId ? listed.filter((r) => `${r.regionId}-a` === zoneId) : listed;
      return {
        TotalCount: found.length,
        PageNumber: pageNumber,
        PageSize: pageSize,
        InstanceStatuses: {
          InstanceStatus: pageByNumber(found, pageNumber, pageSize).map((record) => ({
            InstanceId: record.id,
            Status: context.state.statusOf(record),
          })),
        },
      };
    },
  };
};
