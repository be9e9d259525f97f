import { startEcsEmulator, type EcsEmulator } from '../local/ecs-emulator';
import type { AccessCredentials } from '../functions/detach-key-pair/src/ecs/port';
import type { DetachPayload, FcContext } from './protocol';

const REGION_ID = 'cn-hangzhou';
const KEY_PAIR_NAME = 'bench-leaked-key';

export interface BenchEmulator {
  emu: EcsEmulator;
  /**
   * Issued once and used for every run: FC hands a warm instance the same role credentials until
   * they rotate, so clients cached per credentials (the function's, the baseline's) get reused
   * as they would be there.
   */
  credentials: AccessCredentials;
  /**
   * Wipes the emulator and seeds `count` Linux instances that all hold the key, so every run
   * starts from the same state and the request log holds only its own calls.
   */
  seed(count: number): DetachPayload;
}

export async function startBenchEmulator(): Promise<BenchEmulator> {
  // Room for every call of the largest fleet even when throttling multiplies them, so counts
  // come from a complete log.
  const emu = await startEcsEmulator({ port: 0, seed: 42, requestLogLimit: 1_000_000 });
  return {
    emu,
    credentials: emu.issueCredentials({ sts: true }),
    seed(count) {
      emu.reset();
      emu.state.createKeyPair(REGION_ID, KEY_PAIR_NAME);
      const instanceIds = emu.state.seedFleet({
        regionId: REGION_ID,
        count,
        keyPairName: KEY_PAIR_NAME,
        osType: 'linux',
      });
      return { RegionId: REGION_ID, KeyPairName: KEY_PAIR_NAME, InstanceIds: instanceIds };
    },
  };
}

export function fcContext(requestId: string, credentials: AccessCredentials): FcContext {
  return {
    requestId,
    credentials,
    function: { name: 'detach-key-pair', timeout: 600, memory: 128 },
  };
}

export function countByAction(emu: EcsEmulator): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of emu.requestLog) counts[entry.action] = (counts[entry.action] ?? 0) + 1;
  return counts;
}
