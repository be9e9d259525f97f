import { ConfigurationError } from './errors';
import { MODES, type Mode } from './request';
import { parsePositiveInteger } from './values';

export interface Config {
  /** `ECS_ENDPOINT`: `host:port` (https) or a URL; absent means the region's public endpoint. */
  ecsEndpoint?: string;
  /** `ALLOWED_REGIONS`; empty allows any region. */
  allowedRegions: string[];
  /** `ALLOWED_KEY_PAIR_NAMES` globs (`*`, `?`); empty allows any name. */
  allowedKeyPairNames: string[];
  /** `MAX_INSTANCES`: distinct instance ids accepted per request. */
  maxInstances: number;
  /** `ECS_CONCURRENCY`: most ECS calls of one kind in flight at once. */
  ecsConcurrency: number;
  /** `LOG_LEVEL`: a pino level. */
  logLevel: string;
  /** `ALLOWED_MODES`: the modes callers may ask for; Reboot restarts instances, so opt-in. */
  allowedModes: Mode[];
}

export const DEFAULT_MAX_INSTANCES = 1000;
const DEFAULT_ECS_CONCURRENCY = 8;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const DEFAULT_ALLOWED_MODES: Mode[] = ['Detach', 'Online'];

type Environment = Readonly<Record<string, string | undefined>>;

function commaList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function positiveInteger(
  env: Environment,
  name: string,
  fallback: number,
  maximum: number,
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = parsePositiveInteger(raw, maximum);
  if (value === undefined) {
    throw new ConfigurationError(`${name} must be an integer from 1 to ${maximum}.`);
  }
  return value;
}

/**
 * Read on every invocation (it is cheap) so a changed environment never needs a cold start, and
 * so a bad value fails loudly instead of silently widening what the function may do.
 */
export function readConfig(env: Environment = process.env): Config {
  const logLevel = (env.LOG_LEVEL ?? 'info').trim().toLowerCase() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigurationError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}.`);
  }
  const ecsEndpoint = env.ECS_ENDPOINT?.trim();
  const allowedModes = commaList(env.ALLOWED_MODES);
  const unknownModes = allowedModes.filter((mode) => !(MODES as readonly string[]).includes(mode));
  if (unknownModes.length > 0) {
    throw new ConfigurationError(
      `ALLOWED_MODES holds ${unknownModes.join(', ')}; the modes are ${MODES.join(', ')}.`,
    );
  }
  return {
    ecsEndpoint: ecsEndpoint === '' ? undefined : ecsEndpoint,
    allowedRegions: commaList(env.ALLOWED_REGIONS),
    allowedKeyPairNames: commaList(env.ALLOWED_KEY_PAIR_NAMES),
    maxInstances: positiveInteger(env, 'MAX_INSTANCES', DEFAULT_MAX_INSTANCES, 100_000),
    ecsConcurrency: positiveInteger(env, 'ECS_CONCURRENCY', DEFAULT_ECS_CONCURRENCY, 64),
    logLevel,
    allowedModes: allowedModes.length > 0 ? (allowedModes as Mode[]) : DEFAULT_ALLOWED_MODES,
  };
}
