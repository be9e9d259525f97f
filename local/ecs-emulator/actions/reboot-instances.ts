/**
 * RebootInstances: up to 100 instances of a region. AllTogether (the default) restarts all or
 * none: one unknown or not Running instance fails the whole call. SuccessFirst restarts the ones
 * it can and reports each in InstanceResponses.
 */
import { instanceNotFound, invalidParameter, missingParameter } from '../errors';
import { instanceArn } from '../ram';
import type { InstanceRecord } from '../state';
import { booleanParam, regionParam, repeatListParam } from './params';
import { dryRunOperation, incorrectInstanceStatus, restart } from './restart';
import type { Action } from './types';

const MAX_IDS = 100;

interface InstanceResponse {
  InstanceId: string;
  Code: string;
  Message: string;
  PreviousStatus: string;
  CurrentStatus: string;
}

export const rebootInstances: Action = (params, context) => {
  const regionId = regionParam(params, context);
  const ids = repeatListParam(params, 'InstanceId');
  if (ids.length === 0) throw missingParameter('InstanceId');
  if (ids.length > MAX_IDS) throw invalidParameter('InstanceId');
  const mode = params.BatchOptimization || 'AllTogether';
  if (mode !== 'AllTogether' && mode !== 'SuccessFirst')
    throw invalidParameter('BatchOptimization');
  const dryRun = booleanParam(params, 'DryRun');
  // Checked only so a malformed value is refused: a forced reboot ends the same way here.
  booleanParam(params, 'ForceReboot');

  const answer = (
    id: string,
    record: InstanceRecord | undefined,
    code: string,
    message: string,
  ): InstanceResponse => {
    const status = record ? context.state.statusOf(record) : '';
    return {
      InstanceId: id,
      Code: code,
      Message: message,
      PreviousStatus: status,
      CurrentStatus: status,
    };
  };
  const rebooted = (id: string, record: InstanceRecord): InstanceResponse => {
    restart(record, context);
    return { ...answer(id, record, '200', 'success'), PreviousStatus: 'Running' };
  };

  return {
    resources: ids.map((id) => instanceArn(regionId, context.accountId, id)),
    run() {
      const records = ids.map((id) => {
        const record = context.state.findInstance(id);
        return record?.regionId === regionId ? record : undefined;
      });
      if (mode === 'AllTogether') {
        if (records.some((record) => !record)) throw instanceNotFound();
        const found = records as InstanceRecord[];
        if (found.some((record) => context.state.statusOf(record) !== 'Running')) {
          throw incorrectInstanceStatus();
        }
        if (dryRun) throw dryRunOperation();
        return {
          InstanceResponses: { InstanceResponse: found.map((r, i) => rebooted(ids[i], r)) },
        };
      }
      const responses = ids.map((id, i) => {
        const record = records[i];
        if (!record) {
          const error = instanceNotFound();
          return answer(id, undefined, error.code, error.message);
        }
        if (context.state.statusOf(record) !== 'Running') {
          const error = incorrectInstanceStatus();
          return answer(id, record, error.code, error.message);
        }
        if (dryRun)
          return answer(
            id,
            record,
            'DRYRUN.SUCCESS',
            'This request is a dryrun request with successful result.',
          );
        return rebooted(id, record);
      });
      return { InstanceResponses: { InstanceResponse: responses } };
    },
  };
};
