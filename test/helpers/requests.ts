import type { DetachRequest } from '../../functions/detach-key-pair/src/request';

/** A validated request as the job receives it: Mode Detach in cn-hangzhou for key pair k1. */
export function jobRequest(
  overrides: Partial<DetachRequest> & Pick<DetachRequest, 'InstanceIds'>,
): DetachRequest {
  return {
    RegionId: 'cn-hangzhou',
    KeyPairName: 'k1',
    DryRun: false,
    Mode: 'Detach',
    ForceReboot: false,
    ...overrides,
  };
}
