/**
 * Finding every holder at account size: 100,000 instances over three regions, the key pair in
 * two of them and held by 2,000 instances. The function is asked for `"*"` (every region) and
 * `Target: Holders`, with no id list. What must not grow with the account: ECS calls (no call per
 * instance that does not hold the key), wall time against the rate limits, peak RSS.
 */
import { startEcsEmulator } from '../local/ecs-emulator';
import { startInvokeChild } from './child';
import { countByAction, fcContext } from './emulator';
import type { SelectionPayload } from './protocol';

const KEY_PAIR_NAME = 'bench-leaked-key';

/** Where the instances are, and how many hold the key there. */
export interface HoldersAccount {
  regions: Array<{ regionId: string; instances: number; holders: number }>;
}

export const HOLDERS_ACCOUNT: HoldersAccount = {
  regions: [
    { regionId: 'cn-hangzhou', instances: 40_000, holders: 1_200 },
    { regionId: 'cn-shanghai', instances: 30_000, holders: 800 },
    { regionId: 'cn-beijing', instances: 30_000, holders: 0 },
  ],
};

export interface HoldersResult {
  instances: number;
  holders: number;
  /** Regions the emulator lists (DescribeRegions), each asked for the key pair once. */
  regionsListed: number;
  wallMs: number;
  callsByAction: Record<string, number>;
  calls: number;
  /** The issue's goal: holders / 100 + the regions. */
  describePagesBudget: number;
  /** The busiest action's least calls at its QPS. */
  boundMs: number;
  wallRatio: number;
  peakRssBytes: number;
  /** Holders that still hold the key on the emulator, and other instances it was taken from. */
  holdersLeft: number;
  othersTouched: number;
}

export async function measureHolders(options: {
  script: string;
  functionBundle: string;
  account: HoldersAccount;
  limits: { latencyMs: number; qps: number };
}): Promise<HoldersResult> {
  const { account, limits } = options;
  const emu = await startEcsEmulator({ port: 0, seed: 42, requestLogLimit: 1_000_000 });
  const holders = account.regions.reduce((sum, region) => sum + region.holders, 0);
  const instances = account.regions.reduce((sum, region) => sum + region.instances, 0);
  const child = await startInvokeChild({
    script: options.script,
    functionBundle: options.functionBundle,
    env: { ECS_ENDPOINT: emu.url, MAX_INSTANCES: String(holders) },
  });
  try {
    const held: string[] = [];
    const others: string[] = [];
    for (const region of account.regions) {
      if (region.holders > 0) emu.state.createKeyPair(region.regionId, KEY_PAIR_NAME);
      held.push(
        ...emu.state.seedFleet({
          regionId: region.regionId,
          count: region.holders,
          keyPairName: KEY_PAIR_NAME,
        }),
      );
      emu.state.createKeyPair(region.regionId, 'other-key');
      others.push(
        ...emu.state.seedFleet({
          regionId: region.regionId,
          count: region.instances - region.holders,
          keyPairName: 'other-key',
        }),
      );
    }
    for (const action of ['DescribeInstances', 'DetachKeyPair', 'DescribeKeyPairs']) {
      emu.setFaults(action, { latencyMs: limits.latencyMs, qps: limits.qps });
    }
    const payload: SelectionPayload = {
      RegionId: '*',
      KeyPairName: KEY_PAIR_NAME,
      Target: 'Holders',
    };
    const context = fcContext('bench-holders', emu.issueCredentials({ sts: true }));
    const { ms, memory } = await child.invoke({ kind: 'handler', payload, context });
    const callsByAction = countByAction(emu);
    const regionsListed = emu.state.regions().length;
    const withKey = account.regions.filter((region) => region.holders > 0).length;
    const leastCalls = Math.max(
      Math.ceil(holders / 50), // DetachKeyPair
      Math.ceil(holders / 100) + withKey, // DescribeInstances pages
      regionsListed, // DescribeKeyPairs, one per region
    );
    const boundMs = (leastCalls / limits.qps) * 1000;
    return {
      instances,
      holders,
      regionsListed,
      wallMs: ms,
      callsByAction,
      calls: emu.requestLog.length,
      describePagesBudget: holders / 100 + account.regions.length,
      boundMs,
      wallRatio: ms / boundMs,
      peakRssBytes: memory.maxRssBytes,
      holdersLeft: held.filter((id) => emu.state.instance(id)?.KeyPairName === KEY_PAIR_NAME)
        .length,
      othersTouched: others.filter((id) => emu.state.instance(id)?.KeyPairName !== 'other-key')
        .length,
    };
  } finally {
    await child.stop();
    await emu.stop();
  }
}
