/**
 * DescribeInvocations: the region's invocations, by InvokeId, InstanceId, CommandId, CommandName,
 * CommandType or InvokeStatus, oldest first, each with its per-instance entries (InvokeInstances)
 * and, with IncludeOutput and an InvokeId or InstanceId, their output.
 */
import { invocationArn } from '../ram';
import type { Invocation } from '../cloud-assistant';
import {
  contentEncodingParam,
  encoded,
  invokeStatus,
  overallStatus,
  recordStatus,
  runFields,
} from './invocation-views';
import { pageListed } from './paging';
import { booleanParam, regionParam } from './params';
import type { Action } from './types';

export const describeInvocations: Action = (params, context) => {
  const regionId = regionParam(params, context);
  const encoding = contentEncodingParam(params);
  const { InvokeId, InstanceId, CommandId, CommandName, CommandType, InvokeStatus } = params;
  // The API reference: output needs an InvokeId or an InstanceId (docs/emulator.md).
  const includeOutput = booleanParam(params, 'IncludeOutput') && Boolean(InvokeId || InstanceId);
  const matches = (invocation: Invocation): boolean =>
    (!InvokeId || invocation.invokeId === InvokeId) &&
    (!InstanceId || invocation.runs.some((run) => run.instanceId === InstanceId)) &&
    (!CommandId || invocation.command.commandId === CommandId) &&
    (!CommandName || invocation.command.name === CommandName) &&
    (!CommandType || invocation.command.type === CommandType) &&
    (!InvokeStatus ||
      overallStatus(invocation) === InvokeStatus ||
      invokeStatus(invocation) === InvokeStatus);
  const render = (invocation: Invocation): Record<string, unknown> => ({
    InvokeId: invocation.invokeId,
    CommandId: invocation.command.commandId,
    CommandName: invocation.command.name,
    CommandDescription: invocation.command.description,
    CommandType: invocation.command.type,
    CommandContent: encoded(invocation.command.content, encoding),
    Parameters: JSON.stringify(invocation.parameters),
    InvocationStatus: overallStatus(invocation),
    InvokeStatus: invokeStatus(invocation),
    Timeout: invocation.timeoutSeconds,
    Username: invocation.username,
    WorkingDir: invocation.workingDir,
    RepeatMode: 'Once',
    Timed: false,
    Frequency: '',
    CreationTime: invocation.creationTime,
    Tags: { Tag: [] },
    InvokeInstances: {
      InvokeInstance: invocation.runs.map((run) => ({
        ...runFields(run, encoding, includeOutput),
        InstanceInvokeStatus: recordStatus(run),
        CreationTime: run.creationTime,
        UpdateTime: run.updateTime,
        FinishTime: run.finishTime,
        Timed: false,
      })),
    },
  });
  return {
    resources: [invocationArn(regionId, context.accountId, InvokeId || '*')],
    run() {
      const found = context.cloudAssistant.invocations(regionId).filter(matches);
      const { page, fields } = pageListed(found, params, 50);
      return { ...fields, Invocations: { Invocation: page.map(render) } };
    },
  };
};
