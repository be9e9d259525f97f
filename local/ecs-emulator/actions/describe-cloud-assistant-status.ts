/**
 * DescribeCloudAssistantStatus: whether each instance's agent answers ("true"/"false" strings):
 * only on a Running instance whose agent is not faulted offline. By InstanceId.N (at most 50) or
 * every instance of the region, optionally of one OSType.
 */
import { isoSeconds } from '../cloud-assistant';
import { invalidParameter } from '../errors';
import { instanceArn } from '../ram';
import { pageListed } from './paging';
import { regionParam, repeatListParam } from './params';
import type { Action } from './types';

const MAX_IDS = 50;
const AGENT_VERSION = '2.2.3.857';

export const describeCloudAssistantStatus: Action = (params, context) => {
  const regionId = regionParam(params, context);
  const ids = repeatListParam(params, 'InstanceId');
  if (ids.length > MAX_IDS) throw invalidParameter('InstanceId');
  const osType = params.OSType?.toLowerCase();
  return {
    resources: [instanceArn(regionId, context.accountId, '*')],
    run() {
      const candidates = context.state.instancesListed(regionId, ids);
      const found = candidates.filter((r) => !osType || r.osType === osType);
      const { page, fields } =
        ids.length > 0
          ? { page: found, fields: { TotalCount: found.length } }
          : pageListed(found, params, 50);
      return {
        ...fields,
        InstanceCloudAssistantStatusSet: {
          InstanceCloudAssistantStatus: page.map((record) => {
            const online = context.cloudAssistant.agentOnline(record);
            return {
              InstanceId: record.id,
              OSType: record.osType === 'windows' ? 'Windows' : 'Linux',
              CloudAssistantStatus: String(online),
              CloudAssistantVersion: AGENT_VERSION,
              LastHeartbeatTime: online ? isoSeconds() : '',
              SupportSessionManager: true,
            };
          }),
        },
      };
    },
  };
};
