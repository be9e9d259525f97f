/**
 * Mode Online at fleet size: the function (its bundle, in its own process) against an emulator
 * whose Cloud Assistant really runs the removal script in every guest. What it costs in ECS calls
 * per instance, how its wall time compares with the least time the emulator allows, its peak RSS,
 * and whether every guest ended clean and every instance detached.
 */
import { startEcsEmulator, type EcsEmulator } from '../local/ecs-emulator';
import { startInvokeChild } from './child';
import { countByAction, fcContext } from './emulator';
import type { DetachPayload } from './protocol';

const REGION_ID = 'cn-hangzhou';
const KEY_PAIR_NAME = 'bench-leaked-key';
/** The calls each instance needs at the least, per action: 100 ids a call, or 50. */
const IDS_PER_CALL: Record<string, number> = {
  DescribeInstances: 100,
  DescribeCloudAssistantStatus: 50,
  RunCommand: 100,
  DetachKeyPair: 50,
};

export interface OnlineLimits {
  latencyMs: number;
  /** Per action, each on its own bucket. */
  qps: number;
  /** How long the emulator's agent takes to pick a command up. */
  agentDelayMs: number;
  /** Scripts the emulator runs at once (the machine's cores bound them). */
  maxConcurrentScripts: number;
}

export interface OnlineResult {
  instances: number;
  limits: OnlineLimits;
  wallMs: number;
  callsByAction: Record<string, number>;
  calls: number;
  callsPerInstance: number;
  /** The busiest action's calls at its QPS. */
  rateBoundMs: number;
  /** The agent's delay, then every script's run time spread over the emulator's script slots. */
  scriptBoundMs: number;
  boundMs: number;
  wallRatio: number;
  peakRssBytes: number;
  /** Instances detached on ECS, and guests that still hold the key. */
  detached: number;
  guestsHoldingKey: number;
}

function seed(emu: EcsEmulator, count: number): { payload: DetachPayload; blob: string } {
  emu.reset();
  const keyPair = emu.state.createKeyPair(REGION_ID, KEY_PAIR_NAME, 'ed25519');
  const instanceIds = emu.state.seedFleet({
    regionId: REGION_ID,
    count,
    keyPairName: KEY_PAIR_NAME,
    osType: 'linux',
  });
  return {
    payload: {
      RegionId: REGION_ID,
      KeyPairName: KEY_PAIR_NAME,
      InstanceIds: instanceIds,
      Mode: 'Online',
    },
    blob: keyPair.publicKey.split(' ')[1],
  };
}

async function runOnce(
  script: string,
  functionBundle: string,
  instances: number,
  limits: OnlineLimits,
): Promise<OnlineResult> {
  const emu = await startEcsEmulator({
    port: 0,
    seed: 42,
    requestLogLimit: 1_000_000,
    timing: { agentDelayMs: limits.agentDelayMs },
    maxConcurrentScripts: limits.maxConcurrentScripts,
  });
  const credentials = emu.issueCredentials({ sts: true });
  const child = await startInvokeChild({
    script,
    functionBundle,
    env: { ECS_ENDPOINT: emu.url, MAX_INSTANCES: String(instances) },
  });
  try {
    const { payload, blob } = seed(emu, instances);
    for (const action of Object.keys(IDS_PER_CALL).concat(
      'DescribeInvocations',
      'DescribeKeyPairs',
    )) {
      emu.setFaults(action, { latencyMs: limits.latencyMs, qps: limits.qps });
    }
    // Long enough for the slowest size: every script of 10,000 guests runs on this one machine.
    const context = {
      ...fcContext(`bench-online-${instances}`, credentials),
      function: { name: 'detach-key-pair', timeout: 3600, memory: 128 },
    };
    const { ms, memory } = await child.invoke({ kind: 'handler', payload, context });
    const callsByAction = countByAction(emu);
    const calls = emu.requestLog.length;
    const rateBoundMs = Math.max(
      ...Object.values(IDS_PER_CALL).map((ids) => (Math.ceil(instances / ids) / limits.qps) * 1000),
    );
    const { scriptMs } = emu.scriptStats();
    const scriptBoundMs = limits.agentDelayMs + scriptMs / limits.maxConcurrentScripts;
    const boundMs = Math.max(rateBoundMs, scriptBoundMs);
    const ids = payload.InstanceIds;
    return {
      instances,
      limits,
      wallMs: ms,
      callsByAction,
      calls,
      callsPerInstance: calls / instances,
      rateBoundMs,
      scriptBoundMs,
      boundMs,
      wallRatio: ms / boundMs,
      peakRssBytes: memory.maxRssBytes,
      detached: ids.filter((id) => emu.state.instance(id)?.KeyPairName === undefined).length,
      guestsHoldingKey: ids.filter((id) =>
        ['/root/.ssh/authorized_keys', '/root/.ssh/authorized_keys2'].some((path) =>
          (emu.state.readGuestFile(id, path) ?? '').includes(blob),
        ),
      ).length,
    };
  } finally {
    await child.stop();
    await emu.stop();
  }
}

/** One run per size: a 10,000-instance run executes 10,000 real scripts. */
export async function measureOnline(options: {
  script: string;
  functionBundle: string;
  sizes: readonly number[];
  limits: OnlineLimits;
}): Promise<OnlineResult[]> {
  const results: OnlineResult[] = [];
  for (const instances of options.sizes) {
    results.push(await runOnce(options.script, options.functionBundle, instances, options.limits));
  }
  return results;
}
