/**
 * How DescribeInvocations and DescribeInvocationResults show an invocation: the overall status
 * from the per-instance ones, the older status fields, and content and output encoded as asked
 * (Base64 by default).
 */
import { FINAL_STATUSES, type Invocation, type InstanceRun } from '../cloud-assistant';
import type { Params } from './types';

export type ContentEncoding = 'Base64' | 'PlainText';

/** ContentEncoding of the answer: PlainText when asked (any case), else Base64. */
export function contentEncodingParam(params: Params): ContentEncoding {
  return params.ContentEncoding?.toLowerCase() === 'plaintext' ? 'PlainText' : 'Base64';
}

export function encoded(value: Buffer | string, encoding: ContentEncoding): string {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return encoding === 'Base64' ? bytes.toString('base64') : bytes.toString('utf8');
}

/**
 * The invocation's InvocationStatus: Pending or Running while any instance is; Success when all
 * succeeded; Failed when none did; PartialFailed otherwise.
 */
export function overallStatus(invocation: Invocation): string {
  const statuses = invocation.runs.map((run) => run.status);
  if (statuses.includes('Pending')) return 'Pending';
  if (statuses.includes('Running')) return 'Running';
  const succeeded = statuses.filter((status) => status === 'Success').length;
  if (succeeded === statuses.length) return 'Success';
  return succeeded === 0 ? 'Failed' : 'PartialFailed';
}

/** The older InvokeStatus: Running until every instance is done, then Finished (or failures). */
export function invokeStatus(invocation: Invocation): string {
  const overall = overallStatus(invocation);
  if (overall === 'Pending' || overall === 'Running') return 'Running';
  return overall === 'Success' ? 'Finished' : overall;
}

/** The older per-instance status (InstanceInvokeStatus, InvokeRecordStatus). */
export function recordStatus(run: InstanceRun): string {
  if (!FINAL_STATUSES.has(run.status)) return 'Running';
  return run.status === 'Success' || run.errorCode === 'ExitCodeNonzero' ? 'Finished' : 'Failed';
}

/** The per-instance fields both actions answer. */
export function runFields(
  run: InstanceRun,
  encoding: ContentEncoding,
  includeOutput: boolean,
): Record<string, unknown> {
  return {
    InstanceId: run.instanceId,
    InvocationStatus: run.status,
    ...(run.exitCode !== undefined && { ExitCode: run.exitCode }),
    ErrorCode: run.errorCode,
    ErrorInfo: run.errorInfo,
    Output: includeOutput ? encoded(run.output, encoding) : '',
    Dropped: run.dropped,
    StartTime: run.startTime,
    StopTime: '',
    Repeats: run.startTime ? 1 : 0,
  };
}
