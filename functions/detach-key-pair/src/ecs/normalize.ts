/**
 * The one place where ECS's loose values ("true", "2", or true, 2, depending on the SDK's cast
 * and the API's examples) become typed values. Nothing past the port reads a LooseScalar.
 */
import type { DescribedInstance, DetachKeyPairReply, LooseScalar, RegionsReply } from './port';

export function toBoolean(value: LooseScalar): boolean {
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
}

function toText(value: LooseScalar): string {
  return value === null || value === undefined ? '' : String(value);
}

export interface NormalizedInstance {
  instanceId: string;
  isWindows: boolean;
  /** Undefined when the instance holds no key pair. */
  keyPairName?: string;
}

export function normalizeInstance(instance: DescribedInstance): NormalizedInstance {
  const keyPairName = toText(instance.keyPairName).trim();
  return {
    instanceId: toText(instance.instanceId).trim(),
    isWindows: toText(instance.osType).trim().toLowerCase() === 'windows',
    keyPairName: keyPairName === '' ? undefined : keyPairName,
  };
}

export interface NormalizedDetachEntry {
  success: boolean;
  code: string;
  message: string;
}

export interface NormalizedDetachReply {
  requestId?: string;
  entries: Map<string, NormalizedDetachEntry>;
}

export function normalizeDetachReply(reply: DetachKeyPairReply): NormalizedDetachReply {
  const entries = new Map<string, NormalizedDetachEntry>();
  for (const entry of reply.results) {
    entries.set(toText(entry.instanceId).trim(), {
      success: toBoolean(entry.success),
      code: toText(entry.code),
      message: toText(entry.message),
    });
  }
  return { requestId: reply.requestId, entries };
}

/** The region ids DescribeRegions listed, blanks left out. */
export function normalizeRegionIds(reply: RegionsReply): string[] {
  return reply.regionIds.map((regionId) => toText(regionId).trim()).filter((id) => id !== '');
}
