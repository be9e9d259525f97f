/**
 * What DetachKeyPair and AttachKeyPair share: the request (RegionId, KeyPairName, InstanceIds as
 * a JSON array of at most 50), its RAM resources, the whole-call refusals, and the response with
 * one Results.Result entry per instance.
 */
import type { PerInstanceOutcome } from '../behaviour';
import { EcsApiError, missingParameter } from '../errors';
import { instanceArn, keyPairArn } from '../ram';
import type { InstanceRecord } from '../state';
import { idListParam, regionParam, requiredParam } from './params';
import type { Action, ActionContext, Params } from './types';

const MAX_BATCH = 50;

export interface KeyPairBatch {
  regionId: string;
  keyPairName: string;
  instanceIds: string[];
}

const invalidInstanceIds = (): EcsApiError =>
  new EcsApiError(
    400,
    'InvalidInstanceIds.ValueNotSupported',
    'The specified parameter InstanceIds is not valid.',
  );

function parseKeyPairBatch(params: Params, context: ActionContext): KeyPairBatch {
  const regionId = regionParam(params, context);
  const keyPairName = requiredParam(params, 'KeyPairName');
  const instanceIds = idListParam(params, 'InstanceIds', MAX_BATCH, invalidInstanceIds);
  if (!instanceIds) throw missingParameter('InstanceIds');
  if (instanceIds.length === 0) throw invalidInstanceIds();
  return { regionId, keyPairName, instanceIds };
}

function batchResources(batch: KeyPairBatch, accountId: string): string[] {
  return [
    keyPairArn(batch.regionId, accountId, batch.keyPairName),
    ...batch.instanceIds.map((id) => instanceArn(batch.regionId, accountId, id)),
  ];
}

/**
 * The batch's instances (undefined where none is in the region), after the refusals that fail
 * the whole call: an unknown key pair, and any Windows instance, before anything changes.
 */
function resolveBatch(
  batch: KeyPairBatch,
  context: ActionContext,
): Array<InstanceRecord | undefined> {
  if (!context.state.keyPair(batch.regionId, batch.keyPairName)) {
    throw new EcsApiError(
      context.behaviour.keyPairNotFoundStatus,
      'InvalidKeyPairName.NotFound',
      'The specified KeyPairName does not exist in our records.',
    );
  }
  const instances = batch.instanceIds.map((id) => {
    const record = context.state.findInstance(id);
    return record?.regionId === batch.regionId ? record : undefined;
  });
  if (instances.some((record) => record?.osType === 'windows')) {
    throw new EcsApiError(
      403,
      'DependencyViolation.WindowsInstance',
      'The instance creating is windows, cannot use ssh key pair to login.',
    );
  }
  return instances;
}

export interface InstanceOutcome {
  instanceId: string;
  success: boolean;
  /** HTTP-like code, as the docs' examples show: 200 on success. */
  code: number;
  message: string;
}

export function succeeded(instanceId: string): InstanceOutcome {
  return { instanceId, success: true, code: 200, message: 'successful' };
}

/** The entry for an instance the call could not act on, as the behaviour option says. */
export function unactionable(
  outcome: PerInstanceOutcome,
  failure: InstanceOutcome,
): InstanceOutcome | undefined {
  if (outcome === 'omit') return undefined;
  return outcome === 'succeed' ? succeeded(failure.instanceId) : failure;
}

function notFoundOutcome(instanceId: string): InstanceOutcome {
  return {
    instanceId,
    success: false,
    code: 404,
    message: 'The specified InstanceId does not exist.',
  };
}

/** The response body, with counts and entry fields typed as the resultFieldStyle option says. */
function batchResponse(
  batch: KeyPairBatch,
  outcomes: Array<InstanceOutcome | undefined>,
  context: ActionContext,
): Record<string, unknown> {
  const entries = outcomes.filter((o): o is InstanceOutcome => o !== undefined);
  const native = context.behaviour.resultFieldStyle === 'native';
  const field = (value: number | boolean): number | boolean | string =>
    native ? value : String(value);
  return {
    KeyPairName: batch.keyPairName,
    TotalCount: field(entries.length),
    FailCount: field(entries.filter((o) => !o.success).length),
    Results: {
      Result: entries.map((o) => ({
        InstanceId: o.instanceId,
        Success: field(o.success),
        Code: field(o.code),
        Message: o.message,
      })),
    },
  };
}

/**
 * An action on a batch of instances: `act` changes one instance the call can act on (named as the
 * request names it) and says how it went. An instance not in the region is answered as the
 * unknownInstance option says.
 */
export function keyPairBatchAction(
  act: (
    record: InstanceRecord,
    instanceId: string,
    batch: KeyPairBatch,
    context: ActionContext,
  ) => InstanceOutcome | undefined,
): Action {
  return (params, context) => {
    const batch = parseKeyPairBatch(params, context);
    return {
      resources: batchResources(batch, context.accountId),
      run() {
        const instances = resolveBatch(batch, context);
        const outcomes = batch.instanceIds.map((instanceId, i) => {
          const record = instances[i];
          if (!record) {
            return unactionable(context.behaviour.unknownInstance, notFoundOutcome(instanceId));
          }
          return act(record, instanceId, batch, context);
        });
        return batchResponse(batch, outcomes, context);
      },
    };
  };
}
