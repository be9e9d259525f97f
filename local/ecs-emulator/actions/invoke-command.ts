/**
 * InvokeCommand: runs a saved command. The emulator saves commands only through RunCommand with
 * KeepCommand=true; any other CommandId, public commands included, is 404 InvalidCmdId.NotFound.
 */
import { EcsApiError } from '../errors';
import { commandArn } from '../ram';
import {
  clientTokenParam,
  instanceIdsParam,
  instanceResources,
  invocationRequest,
  startInvocation,
} from './command-params';
import { regionParam, requiredParam } from './params';
import type { Action } from './types';

export const invokeCommand: Action = (params, context) => {
  const regionId = regionParam(params, context);
  const commandId = requiredParam(params, 'CommandId');
  const instanceIds = instanceIdsParam(params);
  const clientToken = clientTokenParam(params);
  return {
    resources: [
      ...instanceResources(regionId, instanceIds, context),
      commandArn(regionId, context.accountId, commandId),
    ],
    run() {
      const command = context.cloudAssistant.keptCommand(regionId, commandId);
      if (!command) {
        throw new EcsApiError(
          404,
          'InvalidCmdId.NotFound',
          'The specified command ID does not exist.',
        );
      }
      const started = startInvocation(
        context,
        invocationRequest(params, command),
        instanceIds,
        clientToken,
      );
      return { InvokeId: started.invokeId };
    },
  };
};
