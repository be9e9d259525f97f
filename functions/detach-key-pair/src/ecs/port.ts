/**
 * The narrow seam between the job and ECS. The SDK adapter implements it for real calls; unit
 * tests implement it with a fake. Values are passed on as ECS sent them (ECS and the SDK disagree
 * about strings versus numbers and booleans); normalize.ts alone turns them into typed values.
 */

/** A scalar as ECS or the SDK may render it: `"true"` or `true`, `"2"` or `2`. */
export type LooseScalar = string | number | boolean | null | undefined;

/** STS credentials as FC hands them over in `context.credentials`. */
export interface AccessCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface CallOptions {
  /** Read and connect timeout for this one call, fitted to what is left of the deadline. */
  timeoutMs: number;
}

export interface DescribeInstancesInput {
  regionId: string;
  /** At most 100. */
  instanceIds: string[];
  nextToken?: string;
}

export interface DescribedInstance {
  instanceId: LooseScalar;
  osType: LooseScalar;
  keyPairName: LooseScalar;
}

export interface DescribeInstancesPage {
  requestId?: string;
  instances: DescribedInstance[];
  /** Empty or absent on the last page. */
  nextToken?: string;
}

export interface DetachKeyPairInput {
  regionId: string;
  keyPairName: string;
  /** At most 50. */
  instanceIds: string[];
}

export interface DetachKeyPairEntry {
  instanceId: LooseScalar;
  success: LooseScalar;
  code: LooseScalar;
  message: LooseScalar;
}

export interface DetachKeyPairReply {
  requestId?: string;
  results: DetachKeyPairEntry[];
}

export interface KeyPairLookupInput {
  regionId: string;
  keyPairName: string;
}

export interface KeyPairLookup {
  requestId?: string;
  exists: boolean;
}

/** Every call throws EcsCallError (errors.ts) when the call fails as a whole. */
export interface EcsPort {
  describeInstances(
    input: DescribeInstancesInput,
    options: CallOptions,
  ): Promise<DescribeInstancesPage>;
  detachKeyPair(input: DetachKeyPairInput, options: CallOptions): Promise<DetachKeyPairReply>;
  /** Whether the region has a key pair of exactly this name (DescribeKeyPairs). */
  findKeyPair(input: KeyPairLookupInput, options: CallOptions): Promise<KeyPairLookup>;
}

export const DESCRIBE_INSTANCES_MAX_IDS = 100;
export const DETACH_KEY_PAIR_MAX_IDS = 50;
