/**
 * The flow, once per invocation: event → trigger adapter → validated request → policy → job →
 * result → presenter. Every dependency with a side effect comes in through HandlerDependencies.
 */
import { readConfig, type Config } from './config';
import { Deadline, type Clock } from './deadline';
import { resolveEndpoint, type EcsEndpoint } from './ecs/endpoint';
import type { AccessCredentials, EcsPort } from './ecs/port';
import type { RetryPolicy } from './ecs/retry';
import { DetachKeyPairError } from './errors';
import { errorResult, retryableFailure, type ErrorResult } from './events';
import { jsonResponse, problemKindFor, problemResponse, type HttpResponse } from './http';
import { runJob } from './job';
import { describeError, type Logger } from './log';
import { enforcePolicy } from './policy';
import { parseRequest } from './request';
import { buildResult, type DetachResult } from './result';
import { detectInvocation, type PayloadOrError } from './triggers';
import { routeHttpRequest, type HttpTriggerEvent } from './triggers/http';
import { isRecord } from './triggers/decode';

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
  dryRun?: boolean;
}

export function createHandler(deps: HandlerDependencies) {
  return async function handler(
    event: unknown,
    context: unknown,
  ): Promise<HttpResponse | EventAnswer> {
    const startedAt = deps.clock.now();
    const fc = readContext(context);
    const invocation = detectInvocation(event);
    const httpRequestId =
      invocation.source === 'http' ? text(invocation.event.requestContext.requestId) : undefined;
    const requestId = fc.requestId ?? httpRequestId ?? deps.newRequestId();

    let config: Config | undefined;
    let configError: unknown;
    try {
      config = readConfig(deps.env());
    } catch (error) {
      configError = error;
    }
    const log = deps
      .loggerFor(config?.logLevel ?? 'info')
      .child({ requestId, functionName: fc.functionName, source: invocation.source });
    const deadline = Deadline.forFunction(startedAt, fc.timeoutSeconds, deps.clock);
    const durationMs = () => deps.clock.now() - startedAt;

    // One line per request at info: its outcome, with what was asked once that is known. Each
    // line costs the redaction net a walk of every field, so "accepted" is a debug line only.
    function logFailure(error: unknown, requestFields: RequestLogFields) {
      const status = problemKindFor(error).status;
      const fields = {
        ...requestFields,
        error: describeError(error),
        status,
        durationMs: durationMs(),
      };
      if (status >= 500) log.error(fields, 'request failed');
      else log.warn(fields, 'request refused');
    }

    async function detach(
      payload: unknown,
      requestFields: RequestLogFields,
    ): Promise<DetachResult> {
      if (config === undefined) throw configError;
      const request = parseRequest(payload, config.maxInstances);
      // Fields rather than a second child logger: one fewer logger built per request.
      Object.assign(requestFields, {
        region: request.RegionId,
        keyPairName: request.KeyPairName,
        instanceCount: request.InstanceIds.length,
        dryRun: request.DryRun,
      });
      enforcePolicy(request, config);
      log.debug(requestFields, 'request accepted');
      const endpoint = resolveEndpoint(request.RegionId, config.ecsEndpoint);
      const port = await deps.ecsPortFor(fc.credentials, endpoint, request.RegionId);
      const job = await runJob(request, {
        port,
        deadline,
        clock: deps.clock,
        retryPolicy: deps.retryPolicy,
        concurrency: config.ecsConcurrency,
      });
      const result = buildResult(requestId, request, job.outcomes, job.ecsRequestIds);
      log.info(
        {
          ...requestFields,
          counts: {
            total: result.TotalCount,
            detached: result.DetachedCount,
            wouldDetach: result.WouldDetachCount,
            skipped: result.SkippedCount,
            failed: result.FailCount,
          },
          deadlineExceeded: result.DeadlineExceeded,
          ecsCalls: result.EcsRequestIds.length,
          durationMs: durationMs(),
        },
        'request done',
      );
      return result;
    }

    async function answerHttp(httpEvent: HttpTriggerEvent): Promise<HttpResponse> {
      const requestFields: RequestLogFields = {};
      try {
        const route = routeHttpRequest(httpEvent);
        if (route.kind === 'describe') return jsonResponse(200, { ...DESCRIPTION, requestId });
        return jsonResponse(200, await detach(route.payload, requestFields));
      } catch (error) {
        logFailure(error, requestFields);
        return problemResponse(error, requestId);
      }
    }

    /** A result, or the failure kept as an error for the caller to decide on. */
    async function answerPayload(
      item: PayloadOrError,
    ): Promise<DetachResult | DetachKeyPairError | ErrorResult> {
      const requestFields: RequestLogFields = {};
      try {
        if ('error' in item) throw item.error;
        return await detach(item.payload, requestFields);
      } catch (error) {
        logFailure(error, requestFields);
        if (error instanceof DetachKeyPairError && error.retryable) return error;
        return errorResult(error, requestId);
      }
    }

    if (invocation.source === 'http') return answerHttp(invocation.event);
    if (invocation.source === 'unsupported') {
      logFailure(invocation.error, {});
      return errorResult(invocation.error, requestId);
    }
    const answers: Array<DetachResult | DetachKeyPairError | ErrorResult> = [];
    // One after another: each request already runs its ECS calls concurrently.
    for (const item of invocation.payloads) answers.push(await answerPayload(item));
    const retryable = answers.filter((answer) => answer instanceof DetachKeyPairError);
    if (retryable.length > 0) {
      // A retry can help: let FC's async retry have it. Sending the whole batch again is safe,
      // since the events already done come back Skipped.
      throw retryableFailure(retryable[0], requestId);
    }
    const presented = answers.map((answer) =>
      answer instanceof DetachKeyPairError ? errorResult(answer, requestId) : answer,
    );
    return invocation.batch ? presented : presented[0];
  };
}
