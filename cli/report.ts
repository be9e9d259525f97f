/**
 * What a person sees: while it runs (terminal only) a line for the invocations and one bar per
 * stage of the mode, then per-status tables. The function answers once per invocation, so the
 * stage bars move as invocations answer, never within one.
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import type { Mode } from '../functions/detach-key-pair/src/request';
import {
  countByStatus,
  type InstanceResult,
  type InstanceStatus,
  type MergedResult,
} from './result';
import { countStages, describeStageCount, STAGE_LABELS, STAGES } from './stages';

const STATUS_ORDER: InstanceStatus[] = ['Detached', 'WouldDetach', 'Skipped', 'Failed'];
const MAX_FAILURES_LISTED = 20;

export interface Progress {
  /** One invocation answered for these instances. */
  answered(results: readonly InstanceResult[]): void;
  stop(): void;
}

export interface ProgressPlan {
  mode: Mode;
  dryRun: boolean;
  /** Unknown until the answer comes when the function selects the instances (a Target). */
  instances?: number;
  invocations: number;
}

const NOTHING_YET = { done: 0, failed: 0, notReached: 0 };

export function startProgress(stream: NodeJS.WritableStream, plan: ProgressPlan): Progress {
  const stages = STAGES[plan.mode];
  const invocationsLabel = plan.dryRun ? 'Invocations (dry run)' : 'Invocations';
  const width = Math.max(invocationsLabel.length, ...stages.map((s) => STAGE_LABELS[s].length));
  const bars = new MultiBar(
    {
      stream,
      format: '{label} [{bar}] {counts} | {duration_formatted}',
      barsize: 20,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  const line = (label: string, total: number, counts: string): SingleBar =>
    bars.create(total, 0, { label: label.padEnd(width), counts });
  const answeredText = (answered: number) => `${answered}/${plan.invocations} answered`;
  const invocations = line(invocationsLabel, plan.invocations, answeredText(0));
  // Without a count of instances there is nothing honest to fill a bar with before the answer.
  const stageBars = stages.map((stage) =>
    plan.instances === undefined
      ? line(STAGE_LABELS[stage], 1, "waiting for the function's answer")
      : line(STAGE_LABELS[stage], plan.instances, describeStageCount(NOTHING_YET, plan.instances)),
  );
  let seen: readonly InstanceResult[] = [];
  let answered = 0;
  return {
    answered(results) {
      answered += 1;
      seen = seen.concat(results);
      invocations.update(answered, { counts: answeredText(answered) });
      const total = plan.instances ?? seen.length;
      countStages(plan.mode, seen).forEach((count, index) => {
        stageBars[index].setTotal(total);
        stageBars[index].update(count.done, { counts: describeStageCount(count, total) });
      });
    },
    stop() {
      if (answered === 0 && plan.instances === undefined) {
        stageBars.forEach((bar) => bar.update({ counts: 'no answer' }));
      }
      bars.stop();
    },
  };
}

export const silentProgress: Progress = { answered: () => undefined, stop: () => undefined };

/**
 * Colour only for a person at a terminal who has not opted out: a set, non-empty NO_COLOR turns
 * it off (https://no-color.org), and piped output stays plain text for the next program.
 */
export function wantsColour(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined>,
): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

/** cli-table3 colours heads and borders by default; empty styles leave the text alone. */
const PLAIN_STYLE = { head: [], border: [] };

export function summary(result: MergedResult, { colour }: { colour: boolean }): string {
  const style = colour ? {} : PLAIN_STYLE;
  const counts = countByStatus(result);
  const statuses = new Table({ head: ['Status', 'Instances'], style });
  for (const status of STATUS_ORDER) {
    if (counts.has(status)) statuses.push([status, String(counts.get(status))]);
  }
  statuses.push(['Total', String(result.TotalCount)]);
  const lines = [
    `${result.DryRun ? 'Dry run: nothing was changed. ' : ''}Key pair ${result.KeyPairName} in ${result.RegionId}:`,
    statuses.toString(),
  ];
  if (result.Regions) {
    const regions = new Table({ head: ['Region', 'Selected', 'Failed', 'Key pair'], style });
    for (const region of result.Regions) {
      const keyPair = region.KeyPair ? `${region.KeyPair.Status} (${region.KeyPair.Code})` : '';
      regions.push([
        region.RegionId,
        String(region.SelectedCount),
        String(region.FailCount),
        region.Code ? `${keyPair} ${region.Code}`.trim() : keyPair,
      ]);
    }
    lines.push(regions.toString());
  }
  const failed = result.Results.filter((entry) => entry.Status === 'Failed');
  if (failed.length > 0) {
    const failures = new Table({
      head: ['Failed instance', 'Code', 'Message'],
      wordWrap: true,
      colWidths: [26, 28, 60],
      style,
    });
    for (const entry of failed.slice(0, MAX_FAILURES_LISTED))
      failures.push([entry.InstanceId, entry.Code, entry.Message]);
    lines.push(failures.toString());
    if (failed.length > MAX_FAILURES_LISTED) {
      lines.push(
        `... and ${failed.length - MAX_FAILURES_LISTED} more failed; --json lists them all.`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
