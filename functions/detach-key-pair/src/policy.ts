import type { Config } from './config';
import { PolicyDeniedError, type FieldProblem } from './errors';
import { ALL_REGIONS, type DetachRequest } from './request';

/** `*` matches any run of characters, `?` one character; everything else is literal. */
export function globToRegExp(glob: string): RegExp {
  const source = [...glob]
    .map((char) => {
      if (char === '*') return '.*';
      if (char === '?') return '.';
      return char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`, 'u');
}

/** Throws PolicyDeniedError naming every rule the request breaks. */
export function enforcePolicy(request: DetachRequest, config: Config): void {
  const problems: FieldProblem[] = [];
  const { allowedRegions, allowedKeyPairNames } = config;
  // "*" looks only where ALLOWED_REGIONS allows (job/run.ts), so it breaks no rule here.
  const named = request.Regions === ALL_REGIONS ? [] : (request.Regions ?? [request.RegionId]);
  const outside = named.filter((regionId) => !allowedRegions.includes(regionId));
  if (allowedRegions.length > 0 && outside.length > 0) {
    problems.push({
      pointer: '/RegionId',
      detail: `Region ${outside.join(', ')} is not in ALLOWED_REGIONS (${allowedRegions.join(', ')}).`,
    });
  }
  if (
    allowedKeyPairNames.length > 0 &&
    !allowedKeyPairNames.some((glob) => globToRegExp(glob).test(request.KeyPairName))
  ) {
    problems.push({
      pointer: '/KeyPairName',
      detail: `Key pair ${request.KeyPairName} matches no pattern in ALLOWED_KEY_PAIR_NAMES (${allowedKeyPairNames.join(', ')}).`,
    });
  }
  if (!config.allowedModes.includes(request.Mode)) {
    problems.push({
      pointer: '/Mode',
      detail: `Mode ${request.Mode} is not in ALLOWED_MODES (${config.allowedModes.join(', ')}); the function's deployer must allow it.`,
    });
  }
  if (problems.length > 0) throw new PolicyDeniedError(problems);
}
