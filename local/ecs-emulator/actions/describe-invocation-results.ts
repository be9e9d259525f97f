/**
 * DescribeInvocationResults: the per-instance results alone, by InvokeId, InstanceId, CommandId
 * or InvokeRecordStatus, with their output.
 */
import { invocationArn } from '../ram';
import type { Invocation, InstanceRun } from '../cloud-assistant';
import { contentEncodingParam, recordStatus, runFields } from './invocation-views';
import { pageListed } from './paging';
import { regionParam } from './params';
import type { Action } from './types';

export const describeInvocationResults: Action = (params, context) => {
  const regionId = regionParam(params, context);
  const encoding = contentEncodingParam(params);
  const { InvokeId, InstanceId, CommandId, InvokeRecordStatus } = params;
  return {
    resources: [invocationArn(regionId, context.accountId, InvokeId || '*')],
    run() {
      const results: Array<{ seq: number; invocation: Invocation; run: InstanceRun }> =
        context.cloudAssistant
          .invocations(regionId)
          .filter(
            (i) =>
              (!InvokeId || i.invokeId === InvokeId) &&
              (!CommandId || i.command.commandId === CommandId),
          )
          .flatMap((invocation) =>
            invocation.runs.map((run) => ({ seq: run.seq, invocation, run })),
          )
          .filter(
            ({ run }) =>
              (!InstanceId || run.instanceId === InstanceId) &&
              (!InvokeRecordStatus ||
                recordStatus(run) === InvokeRecordStatus ||
                run.status === InvokeRecordStatus),
          );
      const { page, fields } = pageListed(results, params, 50);
      return {
        Invocation: {
          ...fields,
          InvocationResults: {
            InvocationResult: page.map(({ invocation, run }) => ({
              ...runFields(run, encoding, true),
              InvokeId: invocation.invokeId,
              CommandId: invocation.command.commandId,
              InvokeRecordStatus: recordStatus(run),
              FinishedTime: run.finishTime,
              Username: invocation.username,
              Tags: { Tag: [] },
            })),
          },
        },
      };
    },
  };
};
