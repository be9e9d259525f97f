/**
 * The stages of a mode as the CLI shows them, and how far each instance got, read from the
 * per-instance fields of the function's result (docs/CONTRACTS.md, schemas/result.schema.json).
 * The function answers once per invocation, so these counts only ever come from answers in hand.
 */
import type { Mode } from '../functions/detach-key-pair/src/request';
import type { InstanceResult } from './result';

export type Stage = 'KeyRemoved' | 'Detached' | 'Restarted';

/** In the order an instance goes through them. */
export const STAGES: Record<Mode, readonly Stage[]> = {
  Detach: ['Detached'],
  Online: ['KeyRemoved', 'Detached'],
  Reboot: ['Detached', 'Restarted'],
};

export const STAGE_LABELS: Record<Stage, string> = {
  KeyRemoved: 'Key removed from guests',
  Detached: 'Detached',
  Restarted: 'Restarted',
};

/**
 * Of the answered instances: done at this stage (or nothing to do there, or in a dry run
 * planned), failed at this stage, or never got to it (failed earlier, or, in Reboot, left for a
 * later restart when the deadline could not fit another wave).
 */
export interface StageCount {
  stage: Stage;
  done: number;
  failed: number;
  notReached: number;
}

/** How many of the mode's stages the instance got through, and whether the next one failed. */
interface Reach {
  stagesDone: number;
  failed: boolean;
}

function reach(mode: Mode, entry: InstanceResult): Reach {
  const failed = entry.Status === 'Failed';
  switch (mode) {
    case 'Detach':
      return { stagesDone: failed ? 0 : 1, failed };
    case 'Online':
      // Online detaches only where the removal succeeded, so KeyRemoved says which stage failed.
      if (failed) return { stagesDone: entry.KeyRemoved === true ? 1 : 0, failed };
      return { stagesDone: 2, failed };
    case 'Reboot':
      // A failed restart leaves the instance Failed, though its key pair was detached.
      if (failed) return { stagesDone: entry.Restart === 'Failed' ? 1 : 0, failed };
      if (entry.Status === 'Detached' && entry.Restart !== 'Restarted') {
        return { stagesDone: 1, failed };
      }
      return { stagesDone: 2, failed };
  }
}

export function countStages(mode: Mode, results: readonly InstanceResult[]): StageCount[] {
  const counts = STAGES[mode].map((stage) => ({ stage, done: 0, failed: 0, notReached: 0 }));
  for (const entry of results) {
    const { stagesDone, failed } = reach(mode, entry);
    counts.forEach((count, index) => {
      if (index < stagesDone) count.done += 1;
      else if (index === stagesDone && failed) count.failed += 1;
      else count.notReached += 1;
    });
  }
  return counts;
}

/** `done/total | n failed`, plus how many never got to the stage when some did not. */
export function describeStageCount(
  count: Pick<StageCount, 'done' | 'failed' | 'notReached'>,
  total: number,
): string {
  const parts = [`${count.done}/${total}`, `${count.failed} failed`];
  if (count.notReached > 0) parts.push(`${count.notReached} not reached`);
  return parts.join(' | ');
}
