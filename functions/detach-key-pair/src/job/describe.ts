/** DescribeInstances for a set of ids, as the plan and the confirmation both need it. */
import type { DescribedInstance, DescribeInstancesPage } from '../ecs/port';
import { normalizeInstance, type NormalizedInstance } from '../ecs/normalize';
import type { Job } from './context';
import { isCallFailure, type CallFailure } from './ledger';

export type DescribePage = (nextToken: string | undefined) => Promise<DescribeInstancesPage>;

/**
 * Every page for one chunk of ids or one filter, or the pages until `enough` says so. A repeated
 * token ends the loop, so a misbehaving endpoint cannot keep the function paging until its
 * deadline.
 */
export async function describeChunk(
  describePage: DescribePage,
  enough: (found: ReadonlyMap<string, NormalizedInstance>) => boolean = () => false,
): Promise<Map<string, NormalizedInstance>> {
  const found = new Map<string, NormalizedInstance>();
  const seenTokens = new Set<string>();
  let nextToken: string | undefined;
  do {
    const page = await describePage(nextToken);
    page.instances.forEach((described: DescribedInstance) => {
      const instance = normalizeInstance(described);
      found.set(instance.instanceId, instance);
    });
    nextToken = page.nextToken || undefined;
    if (enough(found)) break;
    if (nextToken !== undefined && seenTokens.has(nextToken)) break;
    if (nextToken !== undefined) seenTokens.add(nextToken);
  } while (nextToken !== undefined);
  return found;
}

/** The instances ECS knows among at most 100 ids; a call failure is returned, not thrown. */
export async function describeIds(
  job: Job,
  instanceIds: string[],
): Promise<Map<string, NormalizedInstance> | CallFailure> {
  const { request, port, ledger, calls } = job;
  try {
    return await describeChunk(async (nextToken) => {
      const page = await calls.DescribeInstances((options) =>
        port.describeInstances({ regionId: request.RegionId, instanceIds, nextToken }, options),
      );
      ledger.noteRequestId(page.requestId);
      return page;
    });
  } catch (error) {
    if (isCallFailure(error)) return error;
    throw error;
  }
}
