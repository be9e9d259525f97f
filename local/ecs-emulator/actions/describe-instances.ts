/**
 * DescribeInstances: the region's instances, optionally only the listed ids (at most 100), only
 * those holding a key pair, or in a status; paged by MaxResults/NextToken or, when neither is
 * given, by the deprecated PageNumber/PageSize. Either way ten a page unless told otherwise.
 */
import { EcsApiError } from '../errors';
import { instanceArn } from '../ram';
import type { InstanceRecord } from '../state';
import { pageByNumber, pageByToken } from './paging';
import { idListParam, intParam, regionParam } from './params';
import type { Action, ActionContext, Params } from './types';

const MAX_IDS = 100;
const DEFAULT_PAGE = 10;
const MAX_PAGE = 100;

const malformedIds = (): EcsApiError =>
  new EcsApiError(
    400,
    'InvalidInstanceIds.Malformed',
    'The specified parameter InstanceIds is not valid.',
  );

const bySeq = (a: InstanceRecord, b: InstanceRecord): number => a.seq - b.seq;

interface Filters {
  regionId: string;
  ids?: string[];
  keyPairName?: string;
  status?: string;
}

function parseFilters(params: Params, context: ActionContext): Filters {
  return {
    regionId: regionParam(params, context),
    ids: idListParam(params, 'InstanceIds', MAX_IDS, malformedIds),
    keyPairName: params.KeyPairName || undefined,
    status: params.Status || undefined,
  };
}

/** Matches in creation order, taken from the narrowest index the filters allow. */
function candidates(
  { regionId, ids, keyPairName, status }: Filters,
  context: ActionContext,
): readonly InstanceRecord[] {
  let found: readonly InstanceRecord[];
  if (ids) {
    found = ids
      .map((id) => context.state.findInstance(id))
      .filter((r): r is InstanceRecord => r?.regionId === regionId)
      .sort(bySeq);
    if (keyPairName) found = found.filter((r) => r.keyPairName === keyPairName);
  } else if (keyPairName) {
    found = context.state.instancesWithKeyPair(regionId, keyPairName);
  } else {
    found = context.state.instancesIn(regionId);
  }
  return status ? found.filter((r) => context.state.statusOf(r) === status) : found;
}

function describe(record: InstanceRecord, context: ActionContext): Record<string, unknown> {
  return {
    InstanceId: record.id,
    InstanceName: record.name,
    RegionId: record.regionId,
    ZoneId: `${record.regionId}-a`,
    Status: context.state.statusOf(record),
    OSType: record.osType,
    OSName:
      record.osType === 'windows'
        ? 'Windows Server 2022 64-bit'
        : 'Alibaba Cloud Linux 3.2104 LTS 64-bit',
    // ECS answers an empty string, not an absent field, for an instance with no key pair.
    KeyPairName: record.keyPairName ?? '',
    InstanceType: 'ecs.g7.large',
    CreationTime: record.creationTime,
  };
}

export const describeInstances: Action = (params, context) => {
  const filters = parseFilters(params, context);
  const byToken = params.MaxResults !== undefined || params.NextToken !== undefined;
  // Out-of-range MaxResults is clamped, not refused (the docs: below 10 or unset means 10).
  const maxResults = Math.min(MAX_PAGE, Math.max(DEFAULT_PAGE, Number(params.MaxResults) || 0));
  const pageNumber = intParam(params, 'PageNumber', {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    fallback: 1,
  });
  const pageSize = intParam(params, 'PageSize', { min: 1, max: MAX_PAGE, fallback: DEFAULT_PAGE });
  return {
    resources: [instanceArn(filters.regionId, context.accountId, '*')],
    run() {
      const found = candidates(filters, context);
      const render = (page: InstanceRecord[]) => ({
        Instances: { Instance: page.map((record) => describe(record, context)) },
      });
      if (byToken) {
        const { page, nextToken } = pageByToken(found, params.NextToken, maxResults);
        return {
          TotalCount: found.length,
          PageSize: maxResults,
          NextToken: nextToken,
          ...render(page),
        };
      }
      return {
        TotalCount: found.length,
        PageNumber: pageNumber,
        PageSize: pageSize,
        ...render(pageByNumber(found, pageNumber, pageSize)),
      };
    },
  };
};
