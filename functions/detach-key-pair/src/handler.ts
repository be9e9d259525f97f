/**
 * The flow, once per invocation: event → trigger adapter → validated request → policy → job →
 * result → presenter. Every dependency with a side effect comes in through HandlerDependencies.
 */
import { readConfig, type Config } from './config';
import { Deadline, type Clock } from './deadline';
import { resolveEndpoint, type EcsEndpoint } from './ecs/endpoint';
import type { AccessCredentials, EcsPort } from './ecs/port';
import { DetachKeyPairError } from './errors';
import { buildRequestResult } from './job/assemble';
import type { RetryPolicy } from './job/retry';
import { runRequest, type RequestOutcome } from './job/request';
import { describeError, type Logger } from './log';
import { enforcePolicy } from './policy';
import { errorResult, retryableFailure, type ErrorResult } from './present/event-reply';
import { jsonResponse, problemResponse, type HttpResponse } from './present/http-reply';
import { problemKindFor } from './present/problem-kinds';
import { parseRequest } from './request';
import type { DetachResult } from './result';
import { detectInvocation, type Invocation, type PayloadOrError } from './triggers';
import { routeHttpRequest, type HttpTriggerEvent } from './triggers/http';
import { isRecord } from './values';

export type EcsPortFactory = (
  credentials: AccessCredentials | undefined,
  endpoint: EcsEndpoint,
  regionId: string,
) => Promise<EcsPort>;

export interface HandlerDependencies {
  env: () => Readonly<Record<string, string | undefined>>;
  clock: Clock;
  retryPolicy: RetryPolicy;
  loggerFor: (level: string) => Logger;
  ecsPortFor: EcsPortFactory;
  newRequestId: () => string;
}

export type EventAnswer = DetachResult | ErrorResult | Array<DetachResult | ErrorResult>;

/** The parts of FC's context this function uses; any of them may be missing. */
interface ContextView {
  requestId?: string;
  functionName?: string;
  timeoutSeconds?: unknown;
  credentials?: AccessCredentials;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function readContext(context: unknown): ContextView {
  if (!isRecord(context)) return {};
  const fn = isRecord(context.function) ? context.function : {};
  const credentials = isRecord(context.credentials) ? context.credentials : {};
  const accessKeyId = text(credentials.accessKeyId);
  const accessKeySecret = text(credentials.accessKeySecret);
  return {
    requestId: text(context.requestId),
    functionName: text(fn.name),
    timeoutSeconds: fn.timeout,
    // FC leaves credentials empty when the function has no role: fall back to the default chain.
    credentials:
      accessKeyId && accessKeySecret
        ? { accessKeyId, accessKeySecret, securityToken: text(credentials.securityToken) }
        : undefined,
  };
}

const DESCRIPTION = {
  name: 'detach-key-pair',
  description: 'Detaches an SSH key pair from ECS instances.',
  usage: {
    method: 'POST',
    contentType: 'application/json',
    body: {
      RegionId: 'cn-hangzhou',
      KeyPairName: 'my-key',
      InstanceIds: ['i-bp1d6tsvznfghy7y1234'],
      DryRun: true,
    },
  },
};

/** What a log line says of the request: filled in once the payload is a valid request. */
interface RequestLogFields {
  region?: string;
  keyPairName?: string;
  instanceCount?: number;
  target?: string;
  dryRun?: boolean;
  mode?: string;
}

/** What one invocation knows before it reads any request: who it is, its clock, its config. */
interface Scope {
  deps: HandlerDependencies;
  requestId: string;
  fc: ContextView;
  /** The deployer's configuration, or why it could not be read (each request then fails). */
  config: { ok: true; value: Config } | { ok: false; error: unknown };
  log: Logger;
  deadline: Deadline;
  durationMs: () => number;
}

function openScope(deps: HandlerDependencies, context: unknown, invocation: Invocation): Scope {
  const startedAt = deps.clock.now();
  const fc = readContext(context);
  const httpRequestId =
    invocation.source === 'http' ? text(invocation.event.requestContext.requestId) : undefined;
  const requestId = fc.requestId ?? httpRequestId ?? deps.newRequestId();
  let config: Scope['config'];
  try {
    config = { ok: true, value: readConfig(deps.env()) };
  } catch (error) {
    config = { ok: false, error };
  }
  const log = deps
    .loggerFor(config.ok ? config.value.logLevel : 'info')
    .child({ requestId, functionName: fc.functionName, source: invocation.source });
  return {
    deps,
    requestId,
    fc,
    config,
    log,
    deadline: Deadline.forFunction(startedAt, fc.timeoutSeconds, deps.clock),
    durationMs: () => deps.clock.now() - startedAt,
  };
}

// One line per request at info: its outcome, with what was asked once that is known. Each line
// costs the redaction net a walk of every field, so "accepted" is a debug line only.
function logFailure(scope: Scope, error: unknown, requestFields: RequestLogFields) {
  const status = problemKindFor(error).status;
  const fields = {
    ...requestFields,
    error: describeError(error),
    status,
    durationMs: scope.durationMs(),
  };
  if (status >= 500) scope.log.error(fields, 'request failed');
  else scope.log.warn(fields, 'request refused');
}

/**
 * One line per instance when the job went into guests or restarted them: the record an audit
 * reads in SLS. The key appears by its fingerprint only.
 */
function logInstances(log: Logger, result: DetachResult, outcome: RequestOutcome) {
  const fingerprints = new Map(
    outcome.regions.map(({ request: ran, outcome: job }) => [ran.RegionId, job.keyFingerprint]),
  );
  const requestIds = new Map(
    outcome.regions.flatMap(({ outcome: job }) => [...job.instanceRequestIds]),
  );
  for (const entry of result.Results) {
    // Key pairs are regional: the same name may hold another key in each region.
    const region = entry.RegionId ?? result.RegionId;
    log.info(
      {
        region,
        keyPairName: result.KeyPairName,
        keyFingerprint: fingerprints.get(region),
        mode: result.Mode,
        dryRun: result.DryRun,
        instanceId: entry.InstanceId,
        status: entry.Status,
        code: entry.Code,
        keyRemoved: entry.KeyRemoved,
        invokeId: entry.InvokeId,
        exitCode: entry.ExitCode,
        restart: entry.Restart,
        restartRequired: entry.RestartRequired,
        ecsRequestIds: requestIds.get(entry.InstanceId),
      },
      'instance done',
    );
  }
}

async function detach(
  scope: Scope,
  payload: unknown,
  requestFields: RequestLogFields,
): Promise<DetachResult> {
  const { deps, fc, log } = scope;
  if (!scope.config.ok) throw scope.config.error;
  const config = scope.config.value;
  const request = parseRequest(payload, config.maxInstances);
  // Fields rather than a second child logger: one fewer logger built per request.
  Object.assign(requestFields, {
    region: request.RegionId,
    keyPairName: request.KeyPairName,
    instanceCount: request.Target ? undefined : request.InstanceIds.length,
    target: request.Target,
    dryRun: request.DryRun,
    mode: request.Mode,
  });
  enforcePolicy(request, config);
  log.debug(requestFields, 'request accepted');
  const outcome = await runRequest(request, {
    // A port per region: each region has its own endpoint.
    portFor: (regionId) =>
      deps.ecsPortFor(fc.credentials, resolveEndpoint(regionId, config.ecsEndpoint), regionId),
    deadline: scope.deadline,
    clock: deps.clock,
    retryPolicy: deps.retryPolicy,
    concurrency: config.ecsConcurrency,
    maxInstances: config.maxInstances,
    allowedRegions: config.allowedRegions,
  });
  const result = buildRequestResult(scope.requestId, request, outcome);
  if (request.Mode !== 'Detach') logInstances(log, result, outcome);
  log.info(
    {
      ...requestFields,
      counts: {
        total: result.TotalCount,
        detached: result.DetachedCount,
        revoked: result.RevokedCount,
        wouldDetach: result.WouldDetachCount,
        wouldRevoke: result.WouldRevokeCount,
        skipped: result.SkippedCount,
        failed: result.FailCount,
      },
      deadlineExceeded: result.DeadlineExceeded,
      ecsCalls: result.EcsRequestIds.length,
      durationMs: scope.durationMs(),
    },
    'request done',
  );
  return result;
}

async function answerHttp(scope: Scope, httpEvent: HttpTriggerEvent): Promise<HttpResponse> {
  const requestFields: RequestLogFields = {};
  try {
    const route = routeHttpRequest(httpEvent);
    if (route.kind === 'describe') {
      return jsonResponse(200, { ...DESCRIPTION, requestId: scope.requestId });
    }
    return jsonResponse(200, await detach(scope, route.payload, requestFields));
  } catch (error) {
    logFailure(scope, error, requestFields);
    return problemResponse(error, scope.requestId);
  }
}

/** A result, or the failure kept as an error for the caller to decide on. */
async function answerPayload(
  scope: Scope,
  item: PayloadOrError,
): Promise<DetachResult | DetachKeyPairError | ErrorResult> {
  const requestFields: RequestLogFields = {};
  try {
    if ('error' in item) throw item.error;
    return await detach(scope, item.payload, requestFields);
  } catch (error) {
    logFailure(scope, error, requestFields);
    if (error instanceof DetachKeyPairError && error.retryable) return error;
    return errorResult(error, scope.requestId);
  }
}

async function answerEvents(
  scope: Scope,
  payloads: readonly PayloadOrError[],
  batch: boolean,
): Promise<EventAnswer> {
  const answers: Array<DetachResult | DetachKeyPairError | ErrorResult> = [];
  // One after another: each request already runs its ECS calls concurrently.
  for (const item of payloads) answers.push(await answerPayload(scope, item));
  const retryable = answers.filter((answer) => answer instanceof DetachKeyPairError);
  if (retryable.length > 0) {
    // A retry can help: let FC's async retry have it. Sending the whole batch again is safe,
    // since the events already done come back Skipped.
    throw retryableFailure(retryable[0], scope.requestId);
  }
  const presented = answers.map((answer) =>
    answer instanceof DetachKeyPairError ? errorResult(answer, scope.requestId) : answer,
  );
  return batch ? presented : presented[0];
}

export function createHandler(deps: HandlerDependencies) {
  return async function handler(
    event: unknown,
    context: unknown,
  ): Promise<HttpResponse | EventAnswer> {
    const invocation = detectInvocation(event);
    const scope = openScope(deps, context, invocation);
    switch (invocation.source) {
      case 'http':
        return answerHttp(scope, invocation.event);
      case 'unsupported':
        logFailure(scope, invocation.error, {});
        return errorResult(invocation.error, scope.requestId);
      default:
        return answerEvents(scope, invocation.payloads, invocation.batch);
    }
  };
}
