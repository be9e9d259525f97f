import type { InvokeChild } from './child';
import type { DirectDetach } from './direct-sdk';
import { countByAction, fcContext, type BenchEmulator } from './emulator';
import { interleave, median, medianRatio } from './stats';
import { detachedOnEcs, verifyOutcome } from './verify';

export interface WarmResult {
  rounds: number;
  instances: number;
  handlerMedianMs: number;
  /** The same ECS calls made directly with the SDK: DescribeInstances, then DetachKeyPair. */
  directMedianMs: number;
  /** The direct DetachKeyPair call alone. */
  directDetachMedianMs: number;
  /** Median over rounds of handler time divided by the direct calls' time in the same round. */
  ratio: number;
  /** The same, against the direct DetachKeyPair call alone. */
  ratioToOneCall: number;
  /** Every measured round's times, in order: the handler's, the direct calls', the one call's. */
  samplesMs: { handler: number[]; direct: number[]; directDetach: number[] };
  /** ECS calls per invocation, by action, in the last round: the handler's, and the direct ones. */
  handlerCallsByAction: Record<string, number>;
  directCallsByAction: Record<string, number>;
}

function isDirectDetach(value: unknown): value is DirectDetach {
  return typeof value === 'object' && value !== null && 'detachMs' in value;
}

/**
 * Both variants run in the same warm child against an emulator without faults. The first
 * `warmupRounds` rounds are discarded: they bring both to steady state (JIT, lazy imports,
 * keep-alive sockets).
 */
export async function measureWarm(options: {
  bench: BenchEmulator;
  child: InvokeChild;
  instances: number;
  rounds: number;
  warmupRounds: number;
}): Promise<WarmResult> {
  const { child, instances } = options;
  const { emu, credentials } = options.bench;
  let handlerCallsByAction: Record<string, number> = {};
  let directCallsByAction: Record<string, number> = {};
  let directDetachMs: number[] = [];
  let invocation = 0;
  const variants = {
    handler: async () => {
      const payload = options.bench.seed(instances);
      invocation += 1;
      const context = fcContext(`bench-warm-${invocation}`, credentials);
      const { ms, result } = await child.invoke({ kind: 'handler', payload, context });
      const outcome = verifyOutcome(emu, payload.InstanceIds, result);
      if (!outcome.exact || !outcome.complete) {
        throw new Error(`warm handler run went wrong: ${JSON.stringify(outcome)}`);
      }
      handlerCallsByAction = countByAction(emu);
      return ms;
    },
    direct: async () => {
      const payload = options.bench.seed(instances);
      const { ms, result } = await child.invoke({
        kind: 'sdk',
        payload,
        credentials,
        endpoint: emu.url,
      });
      if (!isDirectDetach(result) || detachedOnEcs(emu, payload.InstanceIds) !== instances) {
        throw new Error('the direct SDK calls did not detach every instance');
      }
      directDetachMs.push(result.detachMs);
      directCallsByAction = countByAction(emu);
      return ms;
    },
  };
  await interleave(options.warmupRounds, variants);
  directDetachMs = [];
  const times = await interleave(options.rounds, variants);
  return {
    rounds: options.rounds,
    instances,
    handlerMedianMs: median(times.handler),
    directMedianMs: median(times.direct),
    directDetachMedianMs: median(directDetachMs),
    ratio: medianRatio(times.handler, times.direct),
    ratioToOneCall: medianRatio(times.handler, directDetachMs),
    samplesMs: { handler: times.handler, direct: times.direct, directDetach: directDetachMs },
    handlerCallsByAction,
    directCallsByAction,
  };
}
