/** What a person sees: a progress bar while it runs (terminal only), then per-status tables. */
import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import { countByStatus, type InstanceStatus, type MergedResult } from './result';

const STATUS_ORDER: InstanceStatus[] = ['Detached', 'WouldDetach', 'Skipped', 'Failed'];
const MAX_FAILURES_LISTED = 20;

export interface Progress {
  advance(instances: number): void;
  stop(): void;
}

export function startProgress(
  stream: NodeJS.WritableStream,
  total: number,
  invocations: number,
): Progress {
  const bar = new SingleBar({
    stream,
    format: 'Detaching [{bar}] {value}/{total} instances | {done}/{invocations} invocations',
    hideCursor: true,
  });
  let done = 0;
  bar.start(total, 0, { done, invocations });
  return {
    advance(instances) {
      done += 1;
      bar.increment(instances, { done });
    },
    stop: () => bar.stop(),
  };
}

export const silentProgress: Progress = { advance: () => undefined, stop: () => undefined };

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
