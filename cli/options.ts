/** Flags and environment resolved into one run, or a UsageError that says what is missing. */
import type { AccessCredentials } from '../functions/detach-key-pair/src/ecs/port';
import { UsageError } from './errors';
import {
  parseInstanceIdList,
  parseInstancesFile,
  requireInstanceIds,
  uniqueInOrder,
} from './instance-ids';
import type { Target } from './invokers';
import { MODES, type Mode } from '../functions/detach-key-pair/src/request';
import { parsePositiveInteger } from '../functions/detach-key-pair/src/values';
import type { RunRequest } from './result';

export interface CliFlags {
  region?: string;
  keyPair?: string;
  instances?: string;
  instancesFile?: string;
  dryRun?: boolean;
  mode?: string;
  maxUnavailable?: string;
  forceReboot?: boolean;
  json?: boolean;
  url?: string;
  accountId?: string;
  fcRegion?: string;
  endpoint?: string;
  service?: string;
  function?: string;
  qualifier?: string;
  chunkSize: string;
  concurrency: string;
  timeout: string;
}

export interface RunPlan {
  request: RunRequest;
  instanceIds: string[];
  target: Target;
  credentials: AccessCredentials;
  chunkSize: number;
  concurrency: number;
  timeoutMs: number;
  json: boolean;
}

export const DEFAULT_FUNCTION_NAME = 'detach-key-pair';
/** The function's per-invocation ceiling on ids is its MAX_INSTANCES; 500 leaves room and time. */
export const DEFAULT_CHUNK_SIZE = 500;

type Env = Record<string, string | undefined>;

export function positiveInteger(value: string, flag: string): number {
  const number = parsePositiveInteger(value, Number.MAX_SAFE_INTEGER);
  if (number === undefined) {
    throw new UsageError(`${flag} must be a positive integer, got '${value}'`);
  }
  return number;
}

/** The request's Mode and the flags that belong to it; a flag of another mode is refused. */
function modeFrom(flags: CliFlags): Pick<RunRequest, 'Mode' | 'MaxUnavailable' | 'ForceReboot'> {
  const mode = (flags.mode ?? 'Detach') as Mode;
  if (!MODES.includes(mode)) {
    throw new UsageError(`--mode must be one of ${MODES.join(', ')}, got '${flags.mode}'`);
  }
  if (mode !== 'Reboot' && (flags.maxUnavailable !== undefined || flags.forceReboot)) {
    throw new UsageError('--max-unavailable and --force-reboot go with --mode Reboot only');
  }
  if (mode !== 'Reboot') return { Mode: mode };
  return {
    Mode: mode,
    ...(flags.maxUnavailable === undefined
      ? {}
      : { MaxUnavailable: positiveInteger(flags.maxUnavailable, '--max-unavailable') }),
    ...(flags.forceReboot ? { ForceReboot: true } : {}),
  };
}

export function parseUrl(value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new UsageError(`--url is not a valid URL: '${value}'`);
  }
}

function required(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`${what} is required`);
  return value;
}

export function credentialsFrom(env: Env): AccessCredentials {
  const accessKeyId = env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const accessKeySecret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  if (!accessKeyId || !accessKeySecret) {
    throw new UsageError(
      'set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for STS credentials); keys are never taken from flags',
    );
  }
  return {
    accessKeyId,
    accessKeySecret,
    securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN || undefined,
  };
}

function targetFrom(flags: CliFlags, env: Env, region: string): Target {
  const url = flags.url ?? env.FC_HTTP_TRIGGER_URL;
  if (url) {
    return { kind: 'http', url: parseUrl(url) };
  }
  const functionName = flags.function ?? env.FC_FUNCTION_NAME ?? DEFAULT_FUNCTION_NAME;
  return {
    kind: 'fc2',
    accountId: required(
      flags.accountId ?? env.FC_ACCOUNT_ID,
      '--account-id (or FC_ACCOUNT_ID), or --url for the HTTP trigger,',
    ),
    fcRegion: flags.fcRegion ?? env.FC_REGION ?? region,
    endpoint: flags.endpoint ?? env.FC_ENDPOINT,
    serviceName: flags.service ?? env.FC_SERVICE_NAME ?? functionName,
    functionName,
    qualifier: flags.qualifier ?? env.FC_QUALIFIER,
  };
}

function instanceIdsFrom(flags: CliFlags, readFile: (path: string) => string): string[] {
  if (flags.instances !== undefined && flags.instancesFile !== undefined) {
    throw new UsageError('give --instances or --instances-file, not both');
  }
  let ids: string[];
  if (flags.instancesFile !== undefined) {
    let text: string;
    try {
      text = readFile(flags.instancesFile);
    } catch (error) {
      throw new UsageError(`cannot read ${flags.instancesFile}: ${(error as Error).message}`);
    }
    ids = parseInstancesFile(text, flags.instancesFile);
  } else {
    ids = parseInstanceIdList(required(flags.instances, '--instances or --instances-file'));
  }
  if (ids.length === 0) throw new UsageError('no instance ids given');
  const unique = uniqueInOrder(ids);
  requireInstanceIds(unique);
  return unique;
}

export function resolveRunPlan(
  flags: CliFlags,
  env: Env,
  readFile: (path: string) => string,
): RunPlan {
  const region = required(flags.region, '--region');
  const mode = modeFrom(flags);
  return {
    request: {
      RegionId: region,
      KeyPairName: required(flags.keyPair, '--key-pair'),
      DryRun: flags.dryRun ?? false,
      ...mode,
    },
    instanceIds: instanceIdsFrom(flags, readFile),
    target: targetFrom(flags, env, region),
    credentials: credentialsFrom(env),
    chunkSize: positiveInteger(flags.chunkSize, '--chunk-size'),
    // Invocations run one at a time in Reboot mode, so MaxUnavailable holds for the whole fleet.
    concurrency: mode.Mode === 'Reboot' ? 1 : positiveInteger(flags.concurrency, '--concurrency'),
    timeoutMs: positiveInteger(flags.timeout, '--timeout') * 1000,
    json: flags.json ?? false,
  };
}
