/**
 * What RunCommand and InvokeCommand share: the instances (InstanceId.N, 1 to 100), Timeout,
 * Username, WorkingDir, Parameters and their `{{name}}` placeholders, ClientToken idempotency,
 * the per-call refusals, and starting the invocation. Limits: docs/emulator.md, "Cloud Assistant".
 */
import type { Command, InvocationRequest } from '../cloud-assistant';
import { EcsApiError, invalidParameter, missingParameter } from '../errors';
import { instanceArn } from '../ram';
import type { InstanceRecord } from '../state';
import { booleanParam, intParam, repeatListParam } from './params';
import type { ActionContext, Params } from './types';

const MAX_INSTANCES = 100;
export const MAX_CONTENT_BASE64_BYTES = 24 * 1024;
const MAX_PARAMETERS = 10;
const MAX_PLACEHOLDERS = 20;
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_-]+)\s*\}\}/g;

const forbidden = (code: string, message: string): EcsApiError =>
  new EcsApiError(403, code, message);

export function contentTooLong(): EcsApiError {
  return new EcsApiError(
    400,
    'InvalidParam.CommandContent',
    'The specified parameter CommandContent is longer than 24 KB after Base64 encoding.',
  );
}

export const base64Length = (text: string): number =>
  Math.ceil(Buffer.byteLength(text, 'utf8') / 3) * 4;

/** InstanceId.N: at least one, at most 100, duplicates answered once. */
export function instanceIdsParam(params: Params): string[] {
  const ids = repeatListParam(params, 'InstanceId');
  if (ids.length === 0) throw missingParameter('InstanceId');
  if (ids.length > MAX_INSTANCES) {
    throw forbidden(
      'InstanceIds.ExceedLimit',
      'The number of instance IDs exceeds the upper limit.',
    );
  }
  return ids;
}

export function timeoutParam(params: Params, fallback: number): number {
  return intParam(params, 'Timeout', { min: 1, max: 86_400, fallback });
}

/** A string parameter within a length limit; `tooLong` is the action's own error. */
export function boundedParam(
  params: Params,
  name: string,
  max: number,
  tooLong: () => EcsApiError = () => invalidParameter(name),
): string {
  const value = params[name] ?? '';
  if (value.length > max) throw tooLong();
  return value;
}

export function usernameParam(params: Params): string {
  const username = boundedParam(params, 'Username', 255, () =>
    forbidden('Username.ExceedLimit', 'The length of the username exceeds the upper limit.'),
  );
  return username || 'root';
}

/** ClientToken: at most 64 printable ASCII characters. */
export function clientTokenParam(params: Params): string | undefined {
  const token = params.ClientToken;
  if (token === undefined || token === '') return undefined;
  if (token.length > 64 || !/^[\x20-\x7e]+$/.test(token)) throw invalidParameter('ClientToken');
  return token;
}

/** Parameters: a JSON object of at most 10 names (1 to 64 characters) to string values. */
export function parametersParam(params: Params): Record<string, string> {
  const raw = params.Parameters;
  if (raw === undefined || raw === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidParameter('Parameters');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidParameter('Parameters');
  }
  const entries = Object.entries(parsed);
  const valid = entries.every(
    ([name, value]) =>
      name.length > 0 &&
      name.length <= 64 &&
      ['string', 'number', 'boolean'].includes(typeof value),
  );
  if (!valid || entries.length > MAX_PARAMETERS) throw invalidParameter('Parameters');
  return Object.fromEntries(entries.map(([name, value]) => [name, String(value)]));
}

/** Only one-off runs are modelled. */
export function repeatModeParam(params: Params): void {
  if (params.RepeatMode && params.RepeatMode !== 'Once') throw invalidParameter('RepeatMode');
}

/**
 * The script with `{{name}}` placeholders replaced (names case-insensitive), when parameters are
 * enabled. A placeholder without a value, or a value without a placeholder, is refused: a script
 * run with a silently empty value could do the opposite of what was meant.
 */
export function substitute(
  content: string,
  enabled: boolean,
  parameters: Record<string, string>,
): string {
  if (!enabled) return content;
  const values = new Map(Object.entries(parameters).map(([k, v]) => [k.toLowerCase(), v]));
  const names = new Set([...content.matchAll(PLACEHOLDER)].map((m) => m[1].toLowerCase()));
  const unknown = [...values.keys()].some((name) => !names.has(name));
  const missing = [...names].some((name) => !values.has(name));
  if (names.size > MAX_PLACEHOLDERS || unknown || missing) throw invalidParameter('Parameters');
  const script = content.replace(PLACEHOLDER, (_m, name: string) => {
    return values.get(name.toLowerCase()) ?? '';
  });
  if (base64Length(script) > MAX_CONTENT_BASE64_BYTES) throw contentTooLong();
  return script;
}

/** What the invocation choices of a RunCommand or InvokeCommand call are. */
export function invocationRequest(params: Params, command: Command): InvocationRequest {
  repeatModeParam(params);
  const parameters = parametersParam(params);
  return {
    command,
    script: substitute(command.content, command.enableParameter, parameters),
    parameters,
    timeoutSeconds: timeoutParam(params, command.timeoutSeconds),
    username: usernameParam(params),
    workingDir: boundedParam(params, 'WorkingDir', 200) || command.workingDir,
  };
}

export function keepCommandParam(params: Params): boolean {
  return booleanParam(params, 'KeepCommand');
}

export function instanceResources(
  regionId: string,
  ids: string[],
  context: ActionContext,
): string[] {
  return ids.map((id) => instanceArn(regionId, context.accountId, id));
}

/**
 * Starts the invocation, or answers the one an earlier call with the same ClientToken started
 * (400 IdempotentParameterMismatch if that call asked for something else). Every instance must
 * exist in the region.
 */
export function startInvocation(
  context: ActionContext,
  request: InvocationRequest,
  instanceIds: string[],
  clientToken: string | undefined,
): { invokeId: string; commandId: string } {
  const { regionId } = request.command;
  const fingerprint = JSON.stringify([
    instanceIds,
    { ...request, command: { ...request.command, commandId: undefined } },
  ]);
  const earlier = clientToken && context.cloudAssistant.byClientToken(regionId, clientToken);
  if (earlier) {
    if (earlier.fingerprint !== fingerprint) {
      throw new EcsApiError(
        400,
        'IdempotentParameterMismatch',
        'The request uses the same client token as a previous, but non-identical request.',
      );
    }
    return {
      invokeId: earlier.invocation.invokeId,
      commandId: earlier.invocation.command.commandId,
    };
  }
  const records = instanceIds.map((id): InstanceRecord => {
    const record = context.state.findInstance(id);
    if (record?.regionId !== regionId) {
      throw new EcsApiError(
        404,
        'InvalidInstance.NotFound',
        'The specified instance does not exist.',
      );
    }
    return record;
  });
  const token = clientToken ? { token: clientToken, fingerprint } : undefined;
  const invocation = context.cloudAssistant.invoke(request, records, token);
  return { invokeId: invocation.invokeId, commandId: request.command.commandId };
}
