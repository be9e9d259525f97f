/**
 * The restart stage (Reboot): the instances ECS detached restart in waves of at most
 * MaxUnavailable, each wave waiting until its instances run again, so the image's init drops
 * the key that is no longer attached. When the deadline cannot fit another wave the job stops:
 * the rest stay Detached with a restart still required, and nothing restarts them later.
 */
import {
  INSTANCE_STATUS_MAX_IDS,
  REBOOT_INSTANCES_MAX_IDS,
  type RebootedInstance,
} from '../ecs/port';
import { chunked } from '../values';
import type { Job } from './context';
import { isCallFailure } from './ledger';

/** Polling DescribeInstanceStatus while a wave restarts. */
export const RESTART_POLLING = { intervalMs: 2000 } as const;

/** The longest a wave may take before its laggards are reported Failed. */
export const WAVE_TIMEOUT_MS = 10 * 60_000;

/** MaxUnavailable, or 10 % of the instances to restart, at least one. */
export function waveSize(job: Job, count: number): number {
  return job.request.MaxUnavailable ?? Math.max(1, Math.ceil(count / 10));
}

function detachedIds(job: Job): string[] {
  return job.request.InstanceIds.filter((id) => job.ledger.outcomes.get(id)?.status === 'Detached');
}

/** A dry run's waves: which wave each instance that would be detached restarts in. */
export function planWaves(job: Job): void {
  const ids = job.request.InstanceIds.filter(
    (id) => job.ledger.outcomes.get(id)?.status === 'WouldDetach',
  );
  const size = waveSize(job, ids.length);
  ids.forEach((id, index) => job.ledger.waves.set(id, Math.floor(index / size) + 1));
}

function restartFailed(job: Job, instanceId: string, code: string, message: string): void {
  job.ledger.restarts.set(instanceId, 'Failed');
  job.ledger.record(instanceId, {
    status: 'Failed',
    code,
    message: `The key pair was detached, but ${message} The key stays in the guest until it restarts.`,
    retryable: false,
  });
}

/** RebootInstances (SuccessFirst) for one wave; returns the instances ECS began to restart. */
async function startRestarts(job: Job, wave: string[]): Promise<string[]> {
  const { request, port, ledger, calls } = job;
  const started: string[] = [];
  for (const ids of chunked(wave, REBOOT_INSTANCES_MAX_IDS)) {
    let answers: RebootedInstance[];
    try {
      const reply = await calls.RebootInstances((options) =>
        port.rebootInstances(
          { regionId: request.RegionId, instanceIds: ids, forceReboot: request.ForceReboot },
          options,
        ),
      );
      ledger.noteCallOn(ids, reply.requestId);
      answers = reply.instances;
    } catch (error) {
      if (!isCallFailure(error)) throw error;
      ids.forEach((id) =>
        restartFailed(job, id, error.code, `RebootInstances failed (${error.message}).`),
      );
      continue;
    }
    const byId = new Map(answers.map((answer) => [String(answer.instanceId), answer]));
    for (const id of ids) {
      const code = String(byId.get(id)?.code ?? 'MissingResult');
      if (code === '200' || code === 'Success') started.push(id);
      else
        restartFailed(
          job,
          id,
          code,
          `ECS did not restart it (${String(byId.get(id)?.message ?? 'no answer for this instance')}).`,
        );
    }
  }
  return started;
}

/** Waits until every started instance runs again, or the wave's time is up. */
async function awaitRunning(job: Job, started: string[], waveStart: number): Promise<void> {
  const { request, port, ledger, calls, clock, deadline } = job;
  const waiting = new Set(started);
  while (waiting.size > 0) {
    const left = Math.min(deadline.remainingMs(), WAVE_TIMEOUT_MS - (clock.now() - waveStart));
    if (left < 2 * RESTART_POLLING.intervalMs) break;
    await clock.sleep(RESTART_POLLING.intervalMs);
    for (const ids of chunked([...waiting], INSTANCE_STATUS_MAX_IDS)) {
      try {
        // Paged: DescribeInstanceStatus returns at most 50 a page.
        for (let pageNumber = 1; ; pageNumber += 1) {
          const page = await calls.DescribeInstanceStatus((options) =>
            port.describeInstanceStatus(
              { regionId: request.RegionId, instanceIds: ids, pageNumber },
              options,
            ),
          );
          ledger.noteRequestId(page.requestId);
          for (const status of page.statuses) {
            if (String(status.status) === 'Running') waiting.delete(String(status.instanceId));
          }
          if (page.statuses.length === 0 || pageNumber * 50 >= Number(page.totalCount ?? 0)) break;
        }
      } catch (error) {
        if (!isCallFailure(error)) throw error;
        // One failed poll does not decide anything: the next one asks again.
      }
    }
  }
  for (const id of started) {
    if (waiting.has(id)) {
      restartFailed(
        job,
        id,
        'RestartTimedOut',
        'it was not Running again before the time ran out.',
      );
    } else {
      ledger.restarts.set(id, 'Restarted');
    }
  }
}

export async function restartInWaves(job: Job): Promise<void> {
  const { clock, deadline, ledger } = job;
  const ids = detachedIds(job);
  const waves = chunked(ids, waveSize(job, ids.length));
  // The first wave is assumed to fit; later ones must fit in what the longest so far took.
  let longestWaveMs = 0;
  let next = 0;
  for (; next < waves.length; next += 1) {
    if (deadline.remainingMs() < longestWaveMs + 2 * RESTART_POLLING.intervalMs) break;
    const waveStart = clock.now();
    const started = await startRestarts(job, waves[next]);
    await awaitRunning(job, started, waveStart);
    longestWaveMs = Math.max(longestWaveMs, clock.now() - waveStart);
  }
  for (const wave of waves.slice(next))
    wave.forEach((id) => ledger.restarts.set(id, 'NotRestarted'));
}
