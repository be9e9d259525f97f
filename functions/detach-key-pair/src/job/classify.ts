import type { NormalizedInstance } from '../ecs/normalize';
import type { InstanceOutcome } from '../result';

/**
 * What the request means for one described instance: it holds the key (a DetachKeyPair call is
 * needed), or its outcome is already final.
 */
export type Classification = { action: 'detach' } | { action: 'final'; outcome: InstanceOutcome };

const DETACH: Classification = { action: 'detach' };

function final(status: 'Skipped' | 'Failed', code: string, message: string): Classification {
  return { action: 'final', outcome: { status, code, message, retryable: false } };
}

/**
 * Windows instances never go into a batch: one of them fails a whole DetachKeyPair call with
 * DependencyViolation.WindowsInstance.
 */
export function classifyInstance(
  keyPairName: string,
  instance: NormalizedInstance | undefined,
): Classification {
  if (instance === undefined) {
    return final(
      'Failed',
      'InvalidInstanceId.NotFound',
      'ECS does not know this instance in this region.',
    );
  }
  if (instance.isWindows) {
    return final(
      'Failed',
      'DependencyViolation.WindowsInstance',
      'Windows instances cannot hold SSH key pairs.',
    );
  }
  if (instance.keyPairName === undefined) {
    return final('Skipped', 'KeyPairNotAttached', 'The instance holds no key pair.');
  }
  if (instance.keyPairName !== keyPairName) {
    return final(
      'Skipped',
      'OtherKeyPairAttached',
      `The instance holds key pair ${instance.keyPairName}, not ${keyPairName}.`,
    );
  }
  return DETACH;
}
