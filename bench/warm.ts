import type { InvokeChild } from './child';
import { countByAction, fcContext, type BenchEmulator } from './emulator';
import { interleave, median, medianRatio } from './stats';
import { detachedOnEcs, verifyOutcome } from './verify';

export interface WarmResult {
  rounds: number;
  instances: number;
  handlerMedianMs: number;
  sdkMedianMs: number;
  /** Median over rounds of handler time divided by the direct SDK call's time in the same round. */
  ratio: number;
  /** ECS calls the handler made per invocation, by action, in its last round. */
  handlerCallsByAction: Record<string, number>;
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
    sdk: async () => {
      const payload = options.bench.seed(instances);
      const { ms } = await child.invoke({ kind: 'sdk', payload, credentials, endpoint: emu.url });
      if (detachedOnEcs(emu, payload.InstanceIds) !== instances) {
        throw new Error('the direct SDK call did not detach every instance');
      }
      return ms;
    },
  };
  await interleave(options.warmupRounds, variants);
  const times = await interleave(options.rounds, variants);
  return {
    rounds: options.rounds,
    instances,
    handlerMedianMs: median(times.handler),
    sdkMedianMs: median(times.sdk),
    ratio: medianRatio(times.handler, times.sdk),
    handlerCallsByAction,
  };
}
