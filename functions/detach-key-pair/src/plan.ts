import type { DescribedInstance, DescribeInstancesPage } from './ecs/port';
import { normalizeInstance, type InstanceOutcome, type NormalizedInstance } from './result';

/** An instance either needs a DetachKeyPair call or already has its final outcome. */
export type PlanEntry = { action: 'detach' } | { action: 'settled'; outcome: InstanceOutcome };

const DETACH: PlanEntry = { action: 'detach' };

function settled(status: 'Skipped' | 'Failed', code: string, message: string): PlanEntry {
  return { action: 'settled', outcome: { status, code, message, retryable: false } };
}

/**
 * Windows instances never go into a batch: one of them fails a whole DetachKeyPair call with
 * DependencyViolation.WindowsInstance.
 */
export function classifyInstance(
  keyPairName: string,
  instance: NormalizedInstance | undefined,
): PlanEntry {
  if (instance === undefined) {
    return settled(
      'Failed',
      'InvalidInstanceId.NotFound',
      'ECS does not know this instance in this region.',
    );
  }
  if (instance.isWindows) {
    return settled(
      'Failed',
      'DependencyViolation.WindowsInstance',
      'Windows instances cannot hold SSH key pairs.',
    );
  }
  if (instance.keyPairName === undefined) {
    return settled('Skipped', 'KeyPairNotAttached', 'The instance holds no key pair.');
  }
  if (instance.keyPairName !== keyPairName) {
    return settled(
      'Skipped',
      'OtherKeyPairAttached',
      `The instance holds key pair ${instance.keyPairName}, not ${keyPairName}.`,
    );
  }
  return DETACH;
}

export type DescribePage = (nextToken: string | undefined) => Promise<DescribeInstancesPage>;

/**
 * Every page for one chunk of ids. A repeated token ends the loop, so a misbehaving endpoint
 * cannot keep the function paging until its deadline.
 */
export async function describeChunk(
  describePage: DescribePage,
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
    if (nextToken !== undefined && seenTokens.has(nextToken)) break;
    if (nextToken !== undefined) seenTokens.add(nextToken);
  } while (nextToken !== undefined);
  return found;
}
