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
import {
  ALL_REGIONS,
  MODES,
  type Mode,
  type Target as Selection,
} from '../functions/detach-key-pair/src/request';
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
  target?: string;
  tag?: string[];
  regions?: string;
  expectedCount?: string;
  deleteKeyPair?: boolean;
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
  /** Empty when the request selects by Target: one invocation then. */
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

function targetFrom(flags: CliFlags, env: Env, region: string | undefined): Target {
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
    fcRegion: required(
      flags.fcRegion ?? env.FC_REGION ?? (region === ALL_REGIONS ? undefined : region),
      '--fc-region (or FC_REGION) with --regions all',
    ),
    endpoint: flags.endpoint ?? env.FC_ENDPOINT,
    serviceName: flags.service ?? env.FC_SERVICE_NAME ?? functionName,
    functionName,
    qualifier: flags.qualifier ?? env.FC_QUALIFIER,
  };
}

/** `--target`'s words, and the request's Target each stands for. */
const SELECTIONS: Record<string, Selection> = { holders: 'Holders', all: 'AllInstances' };

/** --target and the flags that shape it (--tag, --regions, --expected-count), into the request. */
function selectionFrom(
  flags: CliFlags,
): Pick<RunRequest, 'RegionId' | 'Target' | 'Tags' | 'ExpectedCount'> | undefined {
  const scoped =
    flags.tag !== undefined || flags.regions !== undefined || flags.expectedCount !== undefined;
  if (flags.target === undefined) {
    if (scoped) throw new UsageError('--tag, --regions and --expected-count go with --target');
    return undefined;
  }
  const target = SELECTIONS[flags.target];
  if (target === undefined) {
    throw new UsageError(`--target must be holders or all, got '${flags.target}'`);
  }
  if (flags.instances !== undefined || flags.instancesFile !== undefined) {
    throw new UsageError('give --target or --instances/--instances-file, not both');
  }
  if (flags.region !== undefined && flags.regions !== undefined) {
    throw new UsageError('give --region or --regions, not both');
  }
  const regions = flags.regions?.split(',').map((region) => region.trim());
  const tags = flags.tag?.map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--tag must be key=value, got '${pair}'`);
    return { Key: pair.slice(0, at), Value: pair.slice(at + 1) };
  });
  const expected = flags.expectedCount;
  if (expected !== undefined && !/^\d{1,9}$/.test(expected)) {
    throw new UsageError(`--expected-count must be a whole number, got '${expected}'`);
  }
  return {
    RegionId:
      regions === undefined
        ? required(flags.region, '--region or --regions')
        : flags.regions === 'all'
          ? ALL_REGIONS
          : regions,
    Target: target,
    ...(tags && { Tags: tags }),
    ...(expected !== undefined && { ExpectedCount: Number(expected) }),
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
  const selection = selectionFrom(flags);
  const regionId = selection?.RegionId ?? required(flags.region, '--region');
  const mode = modeFrom(flags);
  return {
    request: {
      RegionId: regionId,
      KeyPairName: required(flags.keyPair, '--key-pair'),
      DryRun: flags.dryRun ?? false,
      ...mode,
      ...selection,
      ...(flags.deleteKeyPair && { DeleteKeyPair: true }),
    },
    instanceIds: selection ? [] : instanceIdsFrom(flags, readFile),
    // The function's region defaults to the first region named, never to "*".
    target: targetFrom(flags, env, typeof regionId === 'string' ? regionId : regionId[0]),
    credentials: credentialsFrom(env),
    chunkSize: positiveInteger(flags.chunkSize, '--chunk-size'),
    // Invocations run one at a time in Reboot mode, so MaxUnavailable holds for the whole fleet.
    concurrency: mode.Mode === 'Reboot' ? 1 : positiveInteger(flags.concurrency, '--concurrency'),
    timeoutMs: positiveInteger(flags.timeout, '--timeout') * 1000,
    json: flags.json ?? false,
  };
}
