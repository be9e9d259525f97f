/**
 * The one object the stages share: what the request asks, how each ECS action is called, and
 * what the job has learnt so far. Each stage reads it and adds to its ledger; none keeps state
 * of its own across stages.
 */
import type { Clock, Deadline } from '../deadline';
import type { NormalizedInstance } from '../ecs/normalize';
import type { CallOptions, EcsPort } from '../ecs/port';
import type { DetachRequest, Mode } from '../request';
import { Ledger } from './ledger';
import { ConcurrencyLimiter } from './limiter';
import { PLAN_LOOKAHEAD_IDS_PER_CALL_SLOT, PlanLookahead } from './lookahead';
import { ActionPacer } from './pacer';
import { callWithRetry, type RetryPolicy } from './retry';

export interface JobDependencies {
  port: EcsPort;
  deadline: Deadline;
  clock: Clock;
  retryPolicy: RetryPolicy;
  concurrency: number;
}

/** One ECS call, paced, bounded in concurrency and retried as its action allows. */
export type PacedCall = <T>(call: (options: CallOptions) => Promise<T>) => Promise<T>;

export type JobAction =
  | 'DescribeInstances'
  | 'DetachKeyPair'
  | 'DescribeKeyPairs'
  | 'DescribeRegions'
  | 'DeleteKeyPairs'
  | 'DescribeCloudAssistantStatus'
  | 'RunCommand'
  | 'DescribeInvocations'
  | 'RebootInstances'
  | 'DescribeInstanceStatus';

const DETACH_ACTIONS: readonly JobAction[] = [
  'DescribeInstances',
  'DetachKeyPair',
  'DescribeKeyPairs',
  'DescribeRegions',
  'DeleteKeyPairs',
];

/**
 * The ECS actions each mode may call: what its RAM policy (ram/modes/) must allow, and no more.
 * A stage calling any other is a bug, which the paced call refuses.
 */
export const MODE_ACTIONS: Readonly<Record<Mode, readonly JobAction[]>> = {
  Detach: DETACH_ACTIONS,
  Online: [...DETACH_ACTIONS, 'DescribeCloudAssistantStatus', 'RunCommand', 'DescribeInvocations'],
  Reboot: [...DETACH_ACTIONS, 'RebootInstances', 'DescribeInstanceStatus'],
};

export interface Job {
  readonly request: DetachRequest;
  readonly port: EcsPort;
  readonly clock: Clock;
  readonly deadline: Deadline;
  readonly ledger: Ledger;
  /** Keeps the plan from describing far ahead of the detach. */
  readonly lookahead: PlanLookahead;
  /** Each action has its own pacer and concurrency ceiling, since ECS throttles per API. */
  readonly calls: Readonly<Record<JobAction, PacedCall>>;
  /**
   * What the select stage already learnt of the request's instances, moments ago: the plan
   * classifies from it rather than describing them again, so the calls grow with the holders once.
   */
  readonly described?: ReadonlyMap<string, NormalizedInstance>;
}

export const ALL_ACTIONS: readonly JobAction[] = [...new Set(Object.values(MODE_ACTIONS).flat())];

/** An action the mode's RAM policy does not allow: calling it is a bug, not an ECS failure. */
function outsideMode(action: JobAction, mode: Mode): PacedCall {
  return () => Promise.reject(new Error(`Mode ${mode} does not call ${action}.`));
}

function pacedCall(action: JobAction, deps: JobDependencies, ledger: Ledger): PacedCall {
  const { deadline, clock, retryPolicy, concurrency } = deps;
  const limiter = new ConcurrencyLimiter(concurrency);
  const pacer = new ActionPacer(clock);
  return (call) =>
    limiter.run(async () => {
      // Calls queued before a cause every call would meet was learnt are not sent.
      if (ledger.stopCause) throw ledger.stopCause;
      return callWithRetry(action, call, {
        deadline,
        clock,
        policy: retryPolicy,
        pacer,
        onFailure: (error) => ledger.noteRequestId(error.details.requestId),
      });
    });
}

export function openJob(request: DetachRequest, deps: JobDependencies): Job {
  const ledger = new Ledger();
  return {
    request,
    port: deps.port,
    clock: deps.clock,
    deadline: deps.deadline,
    ledger,
    // One slot more than the calls allowed in flight, so a describe and a detach always overlap.
    lookahead: new PlanLookahead((deps.concurrency + 1) * PLAN_LOOKAHEAD_IDS_PER_CALL_SLOT),
    calls: Object.fromEntries(
      ALL_ACTIONS.map((action) => [
        action,
        MODE_ACTIONS[request.Mode].includes(action)
          ? pacedCall(action, deps, ledger)
          : outsideMode(action, request.Mode),
      ]),
    ) as Record<JobAction, PacedCall>,
  };
}
