import type {
  AgentStatusInput,
  AgentStatusPage,
  CallOptions,
  DeleteKeyPairsInput,
  DeleteKeyPairsReply,
  DescribeInstancesInput,
  DescribeInstancesPage,
  DetachKeyPairInput,
  DetachKeyPairReply,
  EcsPort,
  InstanceStatusInput,
  InstanceStatusPage,
  InstanceTag,
  InvocationsInput,
  InvocationsPage,
  InvokedInstance,
  KeyPairLookup,
  KeyPairLookupInput,
  RebootInstancesInput,
  RebootInstancesReply,
  RegionsReply,
  RunCommandInput,
  RunCommandReply,
} from '../../functions/detach-key-pair/src/ecs/port';
import { EcsCallError, type EcsFailureKind } from '../../functions/detach-key-pair/src/errors';
import { ALL_ACTIONS, type JobAction } from '../../functions/detach-key-pair/src/job/context';

export interface FakeInstance {
  osType: 'linux' | 'windows';
  keyPairName?: string;
  tags?: InstanceTag[];
  /** Cloud Assistant's agent: answers unless 'offline'. */
  agent?: 'online' | 'offline';
  /**
   * What the removal script does there: removes the key (the default); refuses an unsafe file
   * (exit 3); fails to rewrite one (exit 4); is given bad input (exit 2); prints no report;
   * never ends; or never reaches the guest (the agent does not answer).
   */
  script?: 'removes' | 'refuses' | 'fails' | 'badInput' | 'garbles' | 'hangs' | 'undelivered';
  /** What a restart does: comes back Running (the default), is refused, or stays Starting. */
  restart?: 'restarts' | 'refused' | 'stuck';
  /** Whether the guest's authorized_keys holds the key (changed by a 'removes' script). */
  guestHoldsKey?: boolean;
}

/** A valid OpenSSH public key, as DescribeKeyPairs returns it with IncludePublicKey. */
export const FAKE_PUBLIC_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMaLSqMsyNKDvDdOtEyYohI19wM4FsoMT1xl40tACihC fake@ecs';

type Action = JobAction;

/** The removal script's report for one guest, as remove-key.sh prints it. */
function removalReport(
  removedLines: number[],
  extra: { failedFile?: boolean; error?: boolean } = {},
): string {
  const files =
    removedLines.length > 0
      ? [
          {
            user: 'root',
            path: '/root/.ssh/authorized_keys',
            status: 'removed',
            removedCount: removedLines.length,
            removedLines,
          },
        ]
      : [];
  const failed = extra.failedFile
    ? [
        {
          user: 'root',
          path: '/root/.ssh/authorized_keys2',
          status: 'failed',
          reason: 'WriteFailed',
        },
      ]
    : [];
  return JSON.stringify({
    version: 1,
    ...(extra.error
      ? { error: { code: 'MissingKeyBlob', message: 'REMOVE_KEY_BLOB is empty.' } }
      : {}),
    files: [...files, ...failed],
    summary: {
      filesScanned: 2,
      linesRemoved: removedLines.length,
      filesRefused: 0,
      filesFailed: failed.length,
    },
  });
}
type FailureRule = (instanceIds: string[]) => EcsCallError | undefined;

interface FakeInvocation {
  instanceIds: string[];
  /** Times DescribeInvocations read it. */
  reads: number;
  /** Each run as its script ended it, once a read saw them end. */
  ended?: InvokedInstance[];
}

export interface RecordedCall {
  action: Action;
  instanceIds: string[];
  nextToken?: string;
  timeoutMs: number;
}

/** How ECS renders scalars: the SDK's cast turns everything into strings; the docs show both. */
export type Rendering = 'strings' | 'native';

export function ecsError(
  kind: EcsFailureKind,
  code: string,
  options: { statusCode?: number; retryAfterMs?: number; action?: string } = {},
): EcsCallError {
  return new EcsCallError(
    options.action ?? 'DetachKeyPair',
    kind,
    code,
    `code: ${options.statusCode ?? 400}, ${code}`,
    {
      statusCode: options.statusCode ?? 400,
      requestId: `REQ-${code}`,
      retryAfterMs: options.retryAfterMs,
    },
  );
}

/** An in-memory ECS behind the port: a fleet, key pairs, and scripted failures per action. */
export class FakeEcs implements EcsPort {
  readonly instances = new Map<string, FakeInstance>();
  readonly keyPairs = new Set<string>();
  readonly calls: RecordedCall[] = [];
  private readonly queuedFailures = Object.fromEntries(
    ALL_ACTIONS.map((action) => [action, []]),
  ) as unknown as Record<Action, EcsCallError[]>;
  private readonly failureRules = Object.fromEntries(
    ALL_ACTIONS.map((action) => [action, []]),
  ) as unknown as Record<Action, FailureRule[]>;
  /** Cloud Assistant invocations by InvokeId, and by ClientToken. */
  readonly invocations = new Map<string, FakeInvocation>();
  private readonly invokeIdsByToken = new Map<string, string>();
  /** What DescribeKeyPairs returns as the key's public half. */
  publicKey = FAKE_PUBLIC_KEY;
  /** The next RunCommand runs, and its answer is lost on the way back. */
  loseNextRunCommandAnswer = false;
  /** Instances restarted, in the order RebootInstances named them. */
  readonly restarted: string[] = [];
  private sequence = 0;
  /** Virtual time each call takes, when a clock is attached. */
  latencyMs = 0;
  /** Instances per DescribeInstances page, to exercise NextToken paging. */
  pageSize = 100;
  /** What DescribeRegions answers. */
  regionIds = ['cn-hangzhou'];
  onCall: (ms: number) => void = () => undefined;

  constructor(private readonly rendering: Rendering = 'strings') {}

  seed(ids: string[], instance: FakeInstance): string[] {
    ids.forEach((id) => this.instances.set(id, { ...instance }));
    if (instance.keyPairName) this.keyPairs.add(instance.keyPairName);
    return ids;
  }

  /** The next calls of this action fail, in order. */
  failNext(action: Action, ...failures: EcsCallError[]) {
    this.queuedFailures[action].push(...failures);
  }

  /** Every later call of this action asks the rule; undefined lets the call through. */
  failWhen(action: Action, rule: FailureRule) {
    this.failureRules[action].push(rule);
  }

  callsOf(action: Action): RecordedCall[] {
    return this.calls.filter((call) => call.action === action);
  }

  private scalar(value: string | number | boolean): string | number | boolean {
    return this.rendering === 'strings' ? String(value) : value;
  }

  private begin(action: Action, instanceIds: string[], options: CallOptions, nextToken?: string) {
    this.calls.push({ action, instanceIds, nextToken, timeoutMs: options.timeoutMs });
    this.onCall(this.latencyMs);
    const failure =
      this.queuedFailures[action].shift() ??
      this.failureRules[action].map((rule) => rule(instanceIds)).find((found) => found);
    if (failure) throw failure;
    this.sequence += 1;
    return `REQ-${action}-${this.sequence}`;
  }

  async describeInstances(
    input: DescribeInstancesInput,
    options: CallOptions,
  ): Promise<DescribeInstancesPage> {
    const requestId = this.begin(
      'DescribeInstances',
      input.instanceIds ?? [],
      options,
      input.nextToken,
    );
    const known = input.instanceIds
      ? input.instanceIds.filter((id) => this.instances.has(id))
      : [...this.instances.keys()].filter((id) => this.selects(input, id));
    const start = input.nextToken ? Number(input.nextToken) : 0;
    const page = known.slice(start, start + this.pageSize);
    const end = start + page.length;
    return {
      requestId,
      nextToken: end < known.length ? String(end) : '',
      instances: page.map((id) => {
        const instance = this.instances.get(id) as FakeInstance;
        return {
          instanceId: id,
          osType: instance.osType,
          keyPairName: instance.keyPairName ?? '',
        };
      }),
    };
  }

  /** Whether DescribeInstances' filters (no ids given) let the instance through. */
  private selects({ keyPairName, tags = [] }: DescribeInstancesInput, id: string): boolean {
    const instance = this.instances.get(id) as FakeInstance;
    if (keyPairName !== undefined && instance.keyPairName !== keyPairName) return false;
    return tags.every((wanted) =>
      (instance.tags ?? []).some((tag) => tag.Key === wanted.Key && tag.Value === wanted.Value),
    );
  }

  async deleteKeyPairs(
    input: DeleteKeyPairsInput,
    options: CallOptions,
  ): Promise<DeleteKeyPairsReply> {
    const requestId = this.begin('DeleteKeyPairs', [], options);
    const held = [...this.instances.values()].some(
      (instance) =>
        instance.keyPairName !== undefined && input.keyPairNames.includes(instance.keyPairName),
    );
    if (held) {
      throw ecsError('client', 'InvalidParameter.KeypairAlreadyAttachedInstance', {
        action: 'DeleteKeyPairs',
      });
    }
    for (const name of input.keyPairNames) this.keyPairs.delete(name);
    return { requestId };
  }

  async describeRegions(options: CallOptions): Promise<RegionsReply> {
    const requestId = this.begin('DescribeRegions', [], options);
    return { requestId, regionIds: [...this.regionIds] };
  }

  async detachKeyPair(
    input: DetachKeyPairInput,
    options: CallOptions,
  ): Promise<DetachKeyPairReply> {
    const requestId = this.begin('DetachKeyPair', input.instanceIds, options);
    if (!this.keyPairs.has(input.keyPairName)) {
      throw ecsError('keyPairNotFound', 'InvalidKeyPairName.NotFound');
    }
    if (input.instanceIds.some((id) => this.instances.get(id)?.osType === 'windows')) {
      throw ecsError('client', 'DependencyViolation.WindowsInstance', { statusCode: 403 });
    }
    const results = input.instanceIds.map((id) => {
      const instance = this.instances.get(id);
      if (instance?.keyPairName === input.keyPairName) {
        instance.keyPairName = undefined;
        return {
          instanceId: id,
          success: this.scalar(true),
          code: this.scalar(200),
          message: 'successful',
        };
      }
      return {
        instanceId: id,
        success: this.scalar(false),
        code: this.scalar(404),
        message: 'The key pair is not bound to the instance.',
      };
    });
    return {
      requestId,
      results,
    };
  }

  async findKeyPair(input: KeyPairLookupInput, options: CallOptions): Promise<KeyPairLookup> {
    const requestId = this.begin('DescribeKeyPairs', [], options);
    const exists = this.keyPairs.has(input.keyPairName);
    return {
      requestId,
      exists,
      publicKey: exists && input.includePublicKey ? this.publicKey : undefined,
    };
  }

  async describeCloudAssistantStatus(
    input: AgentStatusInput,
    options: CallOptions,
  ): Promise<AgentStatusPage> {
    const requestId = this.begin('DescribeCloudAssistantStatus', input.instanceIds, options);
    return {
      requestId,
      statuses: input.instanceIds.map((id) => ({
        instanceId: id,
        online: this.scalar(this.instances.get(id)?.agent !== 'offline'),
      })),
    };
  }

  async runCommand(input: RunCommandInput, options: CallOptions): Promise<RunCommandReply> {
    const requestId = this.begin('RunCommand', input.instanceIds, options);
    const known = this.invokeIdsByToken.get(input.clientToken);
    if (known !== undefined) return { requestId, invokeId: known };
    const invokeId = `t-fake${this.invocations.size + 1}`;
    this.invocations.set(invokeId, {
      instanceIds: input.instanceIds,
      reads: 0,
    });
    this.invokeIdsByToken.set(input.clientToken, invokeId);
    if (this.loseNextRunCommandAnswer) {
      // The command was taken; only its answer does not come back.
      this.loseNextRunCommandAnswer = false;
      throw ecsError('network', 'ECONNRESET', { action: 'RunCommand' });
    }
    return { requestId, invokeId };
  }

  /** One invocation by its id: at its first read every run is Running, later as it ended. */
  async describeInvocations(
    input: InvocationsInput,
    options: CallOptions,
  ): Promise<InvocationsPage> {
    const requestId = this.begin('DescribeInvocations', [], options);
    const invocation = this.invocations.get(input.invokeId);
    if (!invocation) return { requestId, invocations: [] };
    invocation.reads += 1;
    return {
      requestId,
      invocations: [{ invokeId: input.invokeId, instances: this.runsOf(invocation) }],
    };
  }

  /** Each run as its script ended it, decided once, from the second read on. */
  private runsOf(invocation: FakeInvocation): InvokedInstance[] {
    if (invocation.reads < 2) return invocation.instanceIds.map((id) => this.runOf(id, true));
    invocation.ended ??= invocation.instanceIds.map((id) => this.runOf(id, false));
    return invocation.ended;
  }

  private runOf(id: string, stillRunning: boolean): InvokedInstance {
    const instance = this.instances.get(id);
    const behaviour = instance?.script ?? 'removes';
    const running = stillRunning || behaviour === 'hangs';
    const base = { instanceId: id, errorInfo: '', dropped: this.scalar(0) };
    if (running) {
      return {
        ...base,
        invocationStatus: 'Running',
        exitCode: null,
        errorCode: '',
        output: '',
      };
    }
    const exited = (exitCode: number, report: string) => ({
      ...base,
      invocationStatus: exitCode === 0 ? 'Success' : 'Failed',
      exitCode: this.scalar(exitCode),
      errorCode: exitCode === 0 ? '' : 'ExitCodeNonzero',
      output: Buffer.from(report).toString('base64'),
    });
    if (behaviour === 'refuses') return exited(3, removalReport([]));
    if (behaviour === 'fails') return exited(4, removalReport([], { failedFile: true }));
    if (behaviour === 'badInput') return exited(2, removalReport([], { error: true }));
    if (behaviour === 'garbles') return exited(0, 'sh: awk: not found');
    if (behaviour === 'undelivered') {
      return {
        ...base,
        invocationStatus: 'Failed',
        exitCode: null,
        errorCode: 'DeliveryTimeout',
        errorInfo: 'ClientNotResponse',
        output: '',
      };
    }
    const removed = instance?.guestHoldsKey ? [1] : [];
    if (instance) instance.guestHoldsKey = false;
    return {
      ...base,
      invocationStatus: 'Success',
      exitCode: this.scalar(0),
      errorCode: '',
      output: Buffer.from(removalReport(removed)).toString('base64'),
    };
  }

  async rebootInstances(
    input: RebootInstancesInput,
    options: CallOptions,
  ): Promise<RebootInstancesReply> {
    const requestId = this.begin('RebootInstances', input.instanceIds, options);
    const refused = (id: string) => this.instances.get(id)?.restart === 'refused';
    this.restarted.push(...input.instanceIds.filter((id) => !refused(id)));
    return {
      requestId,
      instances: input.instanceIds.map((id) =>
        refused(id)
          ? { instanceId: id, code: 'IncorrectInstanceStatus', message: 'The instance is Stopped.' }
          : { instanceId: id, code: this.scalar(200), message: 'success' },
      ),
    };
  }

  async describeInstanceStatus(
    input: InstanceStatusInput,
    options: CallOptions,
  ): Promise<InstanceStatusPage> {
    const requestId = this.begin('DescribeInstanceStatus', input.instanceIds, options);
    const page = input.instanceIds.slice((input.pageNumber - 1) * 50, input.pageNumber * 50);
    return {
      requestId,
      totalCount: this.scalar(input.instanceIds.length),
      statuses: page.map((id) => ({
        instanceId: id,
        status: this.instances.get(id)?.restart === 'stuck' ? 'Starting' : 'Running',
      })),
    };
  }
}

/** Instance ids in ECS's shape: `i-` and 20 lowercase alphanumerics. */
export function instanceIds(count: number, prefix = 'bp1fake'): string[] {
  return Array.from(
    { length: count },
    (_, index) => `i-${prefix}${String(index).padStart(20 - prefix.length, '0')}`,
  );
}
