/**
 * RebootInstance: asynchronous, as on ECS. The call returns at once; the instance is Stopping,
 * then Starting, then Running again after the configured reboot time. Only a Running instance
 * can be rebooted.
 */
import { instanceNotFound } from '../errors';
import { instanceArn } from '../ram';
import { booleanParam, requiredParam } from './params';
import { dryRunOperation, incorrectInstanceStatus, restart } from './restart';
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
      if (context.state.statusOf(record) !== 'Running') throw incorrectInstanceStatus();
      if (dryRun) throw dryRunOperation();
      restart(record, context);
      return {};
    },
  };
};
