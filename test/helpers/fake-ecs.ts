import type {
  CallOptions,
  DescribeInstancesInput,
  DescribeInstancesPage,
  DetachKeyPairInput,
  DetachKeyPairReply,
  EcsPort,
  KeyPairLookup,
  KeyPairLookupInput,
} from '../../functions/detach-key-pair/src/ecs/port';
import { EcsCallError, type EcsFailureKind } from '../../functions/detach-key-pair/src/errors';

export interface FakeInstance {
  osType: 'linux' | 'windows';
  keyPairName?: string;
}

type Action = 'DescribeInstances' | 'DetachKeyPair' | 'DescribeKeyPairs';
type FailureRule = (instanceIds: string[]) => EcsCallError | undefined;

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
  private readonly queuedFailures: Record<Action, EcsCallError[]> = {
    DescribeInstances: [],
    DetachKeyPair: [],
    DescribeKeyPairs: [],
  };
  private readonly failureRules: Record<Action, FailureRule[]> = {
    DescribeInstances: [],
    DetachKeyPair: [],
    DescribeKeyPairs: [],
  };
  private sequence = 0;
  /** Virtual time each call takes, when a clock is attached. */
  latencyMs = 0;
  /** Instances per DescribeInstances page, to exercise NextToken paging. */
  pageSize = 100;
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
    const requestId = this.begin('DescribeInstances', input.instanceIds, options, input.nextToken);
    const known = input.instanceIds.filter((id) => this.instances.has(id));
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
    return { requestId, exists: this.keyPairs.has(input.keyPairName) };
  }
}

/** Instance ids in ECS's shape: `i-` and 20 lowercase alphanumerics. */
export function instanceIds(count: number, prefix = 'bp1fake'): string[] {
  return Array.from(
    { length: count },
    (_, index) => `i-${prefix}${String(index).padStart(20 - prefix.length, '0')}`,
  );
}
