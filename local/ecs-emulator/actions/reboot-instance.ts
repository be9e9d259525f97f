/**
 * RebootInstance: asynchronous, as on ECS. The call returns at once; the instance is Stopping,
 * then Starting, then Running again after the configured reboot time. Only a Running instance
 * can be rebooted.
 */
import { EcsApiError, instanceNotFound } from '../errors';
import { instanceArn } from '../ram';
import { booleanParam, requiredParam } from './params';
import type { Action } from './types';

export const rebootInstance: Action = (params, context) => {
  const record = context.state.findInstance(requiredParam(params, 'InstanceId'));
  if (!record) throw instanceNotFound();
  const dryRun = booleanParam(params, 'DryRun');
  // Checked only so a malformed value is refused: a forced reboot ends the same way here.
  booleanParam(params, 'ForceStop');
  return {
    resources: [instanceArn(record.regionId, context.accountId, record.id)],
    run() {
      if (context.state.statusOf(record) !== 'Running') {
        throw new EcsApiError(
          403,
          'IncorrectInstanceStatus',
          'The current status of the resource does not support this operation.',
        );
      }
      if (dryRun) {
        throw new EcsApiError(
          400,
          'DryRunOperation',
          'Request validation has been passed with DryRun flag set.',
        );
      }
      context.state.startReboot(record);
      context.cloudAssistant.interrupt(record.id);
      return {};
    },
  };
};
