/**
 * The job, stage by stage: plan (DescribeInstances), detach (DetachKeyPair), confirm (reported
 * failures against the instances' state), then the key pair's existence when nothing held it.
 * Plan and detach overlap: the plan hands on each chunk's holders as soon as it is classified.
 */
import type { DetachRequest } from '../request';
import type { InstanceOutcome } from '../result';
import { confirmFailures } from './confirm';
import { openJob, type Job, type JobDependencies } from './context';
import { startDetaching } from './detach';
import { confirmKeyPairExists } from './key-pair';
import { planInstances, recordWouldDetach } from './plan';

export type { JobDependencies } from './context';

export interface JobOutcome {
  outcomes: Map<string, InstanceOutcome>;
  ecsRequestIds: string[];
}

/** The job's answer: its outcomes, or the failure that answers for the whole request. */
function conclude({ ledger }: Job): JobOutcome {
  const detachedAny = [...ledger.outcomes.values()].some((o) => o.status === 'Detached');
  // A cause every call would meet (RAM denial, no such key pair) is the answer to the request.
  if (ledger.stopCause && !detachedAny) throw ledger.stopCause;
  const worstFailure = ledger.worstFailure();
  if (!ledger.answeredAny && worstFailure) {
    // ECS answered for no instance: answering with the failure (rather than a result full of
    // Failed entries) lets the caller, or FC's async retry, act on it. Once ECS has answered
    // for some, the result keeps them and marks the rest Failed.
    throw worstFailure;
  }
  return { outcomes: ledger.outcomes, ecsRequestIds: [...ledger.requestIds] };
}

export async function runJob(request: DetachRequest, deps: JobDependencies): Promise<JobOutcome> {
  const job = openJob(request, deps);
  const detaching = startDetaching(job);
  const plan = await planInstances(job, (holders) =>
    request.DryRun ? recordWouldDetach(job, holders) : detaching.add(holders),
  );
  const detachErrors = await detaching.finish();
  const bugs = [...plan.errors, ...detachErrors];
  if (bugs.length > 0) throw bugs[0];
  await confirmFailures(job);
  if (plan.holderCount === 0 && job.ledger.answeredAny && !job.ledger.stopCause) {
    await confirmKeyPairExists(job);
  }
  return conclude(job);
}
