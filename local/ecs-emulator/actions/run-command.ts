/**
 * RunCommand: runs a script on up to 100 instances without saving a command (unless
 * KeepCommand). Answers CommandId and InvokeId at once; the script runs afterwards, as on ECS.
 */
import type { Command, CommandType } from '../cloud-assistant';
import { EcsApiError, invalidParameter } from '../errors';
import { commandArn } from '../ram';
import {
  base64Length,
  boundedParam,
  clientTokenParam,
  contentTooLong,
  instanceIdsParam,
  instanceResources,
  invocationRequest,
  keepCommandParam,
  MAX_CONTENT_BASE64_BYTES,
  startInvocation,
  timeoutParam,
} from './command-params';
import { booleanParam, regionParam, requiredParam } from './params';
import type { Action, Params } from './types';

const COMMAND_TYPES: ReadonlySet<string> = new Set([
  'RunShellScript',
  'RunBatScript',
  'RunPowerShellScript',
]);

/** CommandContent as plain text; ContentEncoding is case-insensitive, anything else PlainText. */
function commandContent(params: Params): string {
  const raw = requiredParam(params, 'CommandContent');
  const base64 = params.ContentEncoding?.toLowerCase() === 'base64';
  if (!base64) {
    if (base64Length(raw) > MAX_CONTENT_BASE64_BYTES) throw contentTooLong();
    return raw;
  }
  if (raw.length > MAX_CONTENT_BASE64_BYTES) throw contentTooLong();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw) || raw.length % 4 !== 0) {
    throw invalidParameter('CommandContent');
  }
  return Buffer.from(raw, 'base64').toString('utf8');
}

export const runCommand: Action = (params, context) => {
  const regionId = regionParam(params, context);
  const type = requiredParam(params, 'Type');
  if (!COMMAND_TYPES.has(type)) {
    throw new EcsApiError(
      403,
      'InvalidCmdType.NotFound',
      'The specified command type does not exist.',
    );
  }
  const command: Command = {
    commandId: '',
    regionId,
    type: type as CommandType,
    content: commandContent(params),
    name: boundedParam(
      params,
      'Name',
      128,
      () =>
        new EcsApiError(
          403,
          'CmdName.ExceedLimit',
          'The length of the command name exceeds the upper limit.',
        ),
    ),
    description: boundedParam(
      params,
      'Description',
      512,
      () =>
        new EcsApiError(
          403,
          'CmdDesc.ExceedLimit',
          'The length of the command description exceeds the upper limit.',
        ),
    ),
    enableParameter: booleanParam(params, 'EnableParameter'),
    timeoutSeconds: timeoutParam(params, 60),
    workingDir: '',
  };
  const request = invocationRequest(params, command);
  const instanceIds = instanceIdsParam(params);
  const clientToken = clientTokenParam(params);
  const keep = keepCommandParam(params);
  return {
    resources: [
      ...instanceResources(regionId, instanceIds, context),
      commandArn(regionId, context.accountId, '*'),
    ],
    run() {
      const saved = { ...command, commandId: context.cloudAssistant.newCommandId() };
      const started = startInvocation(
        context,
        { ...request, command: saved },
        instanceIds,
        clientToken,
      );
      if (keep && started.commandId === saved.commandId) context.cloudAssistant.keepCommand(saved);
      return { CommandId: started.commandId, InvokeId: started.invokeId };
    },
  };
};
