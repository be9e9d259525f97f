/**
 * DescribeInstances: the region's instances, optionally only the listed ids (at most 100), only
 * those holding a key pair, in a status, or carrying every one of up to 20 tags; paged by MaxResults/NextToken or, when neither is
 * given, by the deprecated PageNumber/PageSize. Either way ten a page unless told otherwise.
 */
import { EcsApiError, invalidParameter } from '../errors';
import { instanceArn } from '../ram';
import type { InstanceRecord, InstanceTag } from '../state';
import { pageByNumber, pageByToken } from './paging';
import { idListParam, intParam, regionParam } from './params';
import type { Action, ActionContext, Params } from './types';

const MAX_IDS = 100;
const DEFAULT_PAGE = 10;
const MAX_PAGE = 100;
const MAX_TAGS = 20;
const STATUSES = new Set(['Pending', 'Running', 'Starting', 'Stopping', 'Stopped']);

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
  /** Every one must match; a tag without a Value matches any value of its Key. */
  tags: Array<{ key: string; value?: string }>;
}

/** Tag.N.Key / Tag.N.Value, N from 1 to 20. */
function tagFilters(params: Params): Filters['tags'] {
  const byN = new Map<number, { key?: string; value?: string }>();
  for (const [name, value] of Object.entries(params)) {
    const match = /^Tag\.(\d+)\.(Key|Value)$/.exec(name);
    if (!match || value === undefined) continue;
    const n = Number(match[1]);
    if (n < 1 || n > MAX_TAGS) {
      throw new EcsApiError(
        400,
        'InvalidTagCount',
        'The specified tags are beyond the permitted range.',
      );
    }
    const tag = byN.get(n) ?? {};
    if (match[2] === 'Key') tag.key = value;
    else tag.value = value;
    byN.set(n, tag);
  }
  return [...byN.values()].map(({ key, value }) => {
    if (!key) throw invalidParameter('Tag.N.Key');
    return { key, value };
  });
}

function carriesTags(tags: readonly InstanceTag[], wanted: Filters['tags']): boolean {
  return wanted.every(({ key, value }) =>
    tags.some((tag) => tag.Key === key && (value === undefined || tag.Value === value)),
  );
}

function statusFilter(status: string | undefined): string | undefined {
  if (!status) return undefined;
  if (!STATUSES.has(status)) {
    throw new EcsApiError(404, 'InvalidStatus.NotFound', 'The specified Status does not exist.');
  }
  return status;
}

function parseFilters(params: Params, context: ActionContext): Filters {
  return {
    regionId: regionParam(params, context),
    ids: idListParam(params, 'InstanceIds', MAX_IDS, malformedIds),
    keyPairName: params.KeyPairName || undefined,
    status: statusFilter(params.Status),
    tags: tagFilters(params),
  };
}

/** Matches in creation order, taken from the narrowest index the filters allow. */
function candidates(
  { regionId, ids, keyPairName, status, tags }: Filters,
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
  if (tags.length > 0) found = found.filter((r) => carriesTags(r.tags, tags));
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
    Tags: { Tag: record.tags.map((tag) => ({ TagKey: tag.Key, TagValue: tag.Value })) },
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
