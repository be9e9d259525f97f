/**
 * The select stage, for a request with a Target: the instances of the job's region that ECS says
 * hold the key pair (Holders), or every Linux instance there (AllInstances), narrowed by the
 * request's tags; DescribeInstances filtered, 100 a page. Nothing has changed yet, so a failed
 * call fails the request. Paging stops once the selection is past the deployer's limit: the
 * request is refused then, and the rest of the region need not be read.
 */
import { normalizeInstance, type NormalizedInstance } from '../ecs/normalize';
import type { Job } from './context';
import { describeChunk } from './describe';

export interface Selection {
  regionId: string;
  /** In the order ECS listed them. */
  instanceIds: string[];
  /** What ECS said of each: the plan classifies from it rather than describing them again. */
  described: ReadonlyMap<string, NormalizedInstance>;
  /** Paging stopped past `limit`: the region holds more than `instanceIds`. */
  overLimit: boolean;
}

export async function selectInstances(job: Job, limit: number): Promise<Selection> {
  const { request, port, ledger, calls } = job;
  const holdersOnly = request.Target === 'Holders';
  let selectable = 0;
  const found = await describeChunk(
    async (nextToken) => {
      const page = await calls.DescribeInstances((options) =>
        port.describeInstances(
          {
            regionId: request.RegionId,
            keyPairName: holdersOnly ? request.KeyPairName : undefined,
            tags: request.Tags,
            nextToken,
          },
          options,
        ),
      );
      ledger.noteRequestId(page.requestId);
      selectable += page.instances.filter((i) => !normalizeInstance(i).isWindows).length;
      return page;
    },
    () => selectable > limit,
  );
  // A Windows instance cannot hold a key pair, nor run the removal script.
  for (const [instanceId, instance] of found) {
    if (instance.isWindows || instanceId === '') found.delete(instanceId);
  }
  return {
    regionId: request.RegionId,
    instanceIds: [...found.keys()],
    described: found,
    overLimit: selectable > limit,
  };
}
