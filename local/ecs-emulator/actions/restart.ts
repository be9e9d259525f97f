/**
 * What RebootInstance and RebootInstances share: only a Running instance restarts, and a restart
 * kills the scripts running on it (the agent goes down with the instance).
 */
import { EcsApiError } from '../errors';
import type { InstanceRecord } from '../state';
import type { ActionContext } from './types';

export const incorrectInstanceStatus = (): EcsApiError =>
  new EcsApiError(
    403,
    'IncorrectInstanceStatus',
    'The current status of the resource does not support this operation.',
  );

export const dryRunOperation = (): EcsApiError =>
  new EcsApiError(
    400,
    'DryRunOperation',
    'Request validation has been passed with DryRun flag set.',
  );

export function restart(record: InstanceRecord, context: ActionContext): void {
  context.state.startReboot(record);
  context.cloudAssistant.interrupt(record.id);
}
