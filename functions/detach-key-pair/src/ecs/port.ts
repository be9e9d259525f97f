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

/** An instance tag, as the request and ECS name its parts. */
export interface InstanceTag {
  Key: string;
  Value: string;
}

/** Either ids (at most 100), or filters that select instances (paged by nextToken). */
export interface DescribeInstancesInput {
  regionId: string;
  instanceIds?: string[];
  /** Only instances that hold this key pair. */
  keyPairName?: string;
  /** Only instances carrying every one of these tags (1 to 20). */
  tags?: readonly InstanceTag[];
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
  /** Ask for the key's public half too (Online mode matches guest lines by it). */
  includePublicKey?: boolean;
}

export interface KeyPairLookup {
  requestId?: string;
  exists: boolean;
  /** OpenSSH `type base64 [comment]`, when asked for and ECS sent it. */
  publicKey?: string;
  fingerprint?: string;
}

export interface DeleteKeyPairsInput {
  regionId: string;
  /** At most 100. */
  keyPairNames: string[];
}

export interface DeleteKeyPairsReply {
  requestId?: string;
}

export interface RegionsReply {
  requestId?: string;
  regionIds: LooseScalar[];
}

export interface AgentStatusInput {
  regionId: string;
  /** At most 50. */
  instanceIds: string[];
  nextToken?: string;
}

export interface AgentStatus {
  instanceId: LooseScalar;
  /** Cloud Assistant's `CloudAssistantStatus`: "true" while its agent answers. */
  online: LooseScalar;
}

export interface AgentStatusPage {
  requestId?: string;
  statuses: AgentStatus[];
  nextToken?: string;
}

export interface RunCommandInput {
  regionId: string;
  /** At most 100. */
  instanceIds: string[];
  /** The shell script, Base64 (at most 24 KB so encoded). */
  commandContentBase64: string;
  /** The command's name: one per job, so an operator can find the job's runs in ECS. */
  commandName: string;
  timeoutSeconds: number;
  /** The same token again returns the same invocation and runs nothing twice. */
  clientToken: string;
}

export interface RunCommandReply {
  requestId?: string;
  invokeId?: string;
}

/**
 * DescribeInvocations of one invocation, by its id, with each instance's output: ECS returns
 * output only for an InvokeId or an InstanceId (docs/ecs-facts.md).
 */
export interface InvocationsInput {
  regionId: string;
  invokeId: string;
}

export interface InvokedInstance {
  instanceId: LooseScalar;
  invocationStatus: LooseScalar;
  exitCode: LooseScalar;
  errorCode: LooseScalar;
  errorInfo: LooseScalar;
  /** Base64 of stdout and stderr, truncated past 24 KB. */
  output: LooseScalar;
  dropped: LooseScalar;
}

export interface InvocationsPage {
  requestId?: string;
  invocations: Array<{ invokeId: LooseScalar; instances: InvokedInstance[] }>;
}

export interface RebootInstancesInput {
  regionId: string;
  /** At most 100. */
  instanceIds: string[];
  forceReboot: boolean;
}

export interface RebootedInstance {
  instanceId: LooseScalar;
  code: LooseScalar;
  message: LooseScalar;
}

export interface RebootInstancesReply {
  requestId?: string;
  instances: RebootedInstance[];
}

export interface InstanceStatusInput {
  regionId: string;
  /** At most 100. */
  instanceIds: string[];
  pageNumber: number;
}

export interface InstanceStatusPage {
  requestId?: string;
  statuses: Array<{ instanceId: LooseScalar; status: LooseScalar }>;
  totalCount: LooseScalar;
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
  /** Fails as a whole (InvalidParameter.KeypairAlreadyAttachedInstance) while any holds one. */
  deleteKeyPairs(input: DeleteKeyPairsInput, options: CallOptions): Promise<DeleteKeyPairsReply>;
  /** The regions the account can use (DescribeRegions). */
  describeRegions(options: CallOptions): Promise<RegionsReply>;
  describeCloudAssistantStatus(
    input: AgentStatusInput,
    options: CallOptions,
  ): Promise<AgentStatusPage>;
  runCommand(input: RunCommandInput, options: CallOptions): Promise<RunCommandReply>;
  /** One invocation: its instances' state and output. */
  describeInvocations(input: InvocationsInput, options: CallOptions): Promise<InvocationsPage>;
  rebootInstances(input: RebootInstancesInput, options: CallOptions): Promise<RebootInstancesReply>;
  describeInstanceStatus(
    input: InstanceStatusInput,
    options: CallOptions,
  ): Promise<InstanceStatusPage>;
}

export const DESCRIBE_INSTANCES_MAX_IDS = 100;
export const DESCRIBE_INSTANCES_MAX_TAGS = 20;
export const DETACH_KEY_PAIR_MAX_IDS = 50;
export const CLOUD_ASSISTANT_STATUS_MAX_IDS = 50;
export const RUN_COMMAND_MAX_IDS = 100;
export const REBOOT_INSTANCES_MAX_IDS = 100;
export const INSTANCE_STATUS_MAX_IDS = 100;
