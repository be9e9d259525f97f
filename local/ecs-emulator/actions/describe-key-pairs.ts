/**
 * DescribeKeyPairs: the region's key pairs, KeyPairName matched exactly or with `*` wildcards,
 * optionally by fingerprint, paged by PageNumber/PageSize (at most 50).
 */
import { keyPairArn } from '../ram';
import type { KeyPairRecord } from '../state';
import { pageByNumber } from './paging';
import { booleanParam, intParam, regionParam } from './params';
import type { Action } from './types';

function nameMatcher(pattern: string | undefined): (name: string) => boolean {
  if (!pattern) return () => true;
  if (!pattern.includes('*')) return (name) => name === pattern;
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${body}$`);
  return (name) => regex.test(name);
}

export const describeKeyPairs: Action = (params, context) => {
  const regionId = regionParam(params, context);
  const pageNumber = intParam(params, 'PageNumber', {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    fallback: 1,
  });
  const pageSize = intParam(params, 'PageSize', { min: 1, max: 50, fallback: 10 });
  const includePublicKey = booleanParam(params, 'IncludePublicKey');
  const matchesName = nameMatcher(params.KeyPairName);
  const fingerPrint = params.KeyPairFingerPrint || undefined;
  const render = (keyPair: KeyPairRecord) => ({
    KeyPairName: keyPair.name,
    KeyPairFingerPrint: keyPair.fingerPrint,
    CreationTime: keyPair.creationTime,
    ResourceGroupId: '',
    Tags: { Tag: [] },
    ...(includePublicKey && { PublicKey: keyPair.publicKey }),
  });
  return {
    resources: [keyPairArn(regionId, context.accountId, '*')],
    run() {
      const found = context.state
        .keyPairs(regionId)
        .filter((k) => matchesName(k.name) && (!fingerPrint || k.fingerPrint === fingerPrint));
      return {
        TotalCount: found.length,
        PageNumber: pageNumber,
        PageSize: pageSize,
        KeyPairs: { KeyPair: pageByNumber(found, pageNumber, pageSize).map(render) },
      };
    },
  };
};
