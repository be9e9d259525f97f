/**
 * The demo fleet `npm run emulator` and `npm start` serve: Linux instances holding the demo key
 * (ed25519), some holding another key (RSA), some with none, and one Windows instance (which
 * makes a DetachKeyPair batch fail whole), so every path of the function shows. The Linux
 * instances have guests (docs/emulator.md, "Guests"), made when first looked at.
 */
import type { EcsState } from './state';

export const DEMO_FLEET = {
  regionId: 'cn-hangzhou',
  keyPairName: 'demo-key',
  otherKeyPairName: 'ops-key',
} as const;

export interface DemoFleetSize {
  holdingDemoKey: number;
  holdingOtherKey: number;
  withoutKey: number;
  windows: number;
}

export interface DemoFleet {
  regionId: string;
  keyPairName: string;
  otherKeyPairName: string;
  /** Instance ids by what they hold. */
  holdingDemoKey: string[];
  holdingOtherKey: string[];
  withoutKey: string[];
  windows: string[];
}

const DEFAULT_SIZE: DemoFleetSize = {
  holdingDemoKey: 20,
  holdingOtherKey: 5,
  withoutKey: 5,
  windows: 1,
};

export function seedDemoFleet(state: EcsState, size: Partial<DemoFleetSize> = {}): DemoFleet {
  const counts = { ...DEFAULT_SIZE, ...size };
  const { regionId, keyPairName, otherKeyPairName } = DEMO_FLEET;
  state.createKeyPair(regionId, keyPairName, 'ed25519');
  state.createKeyPair(regionId, otherKeyPairName, 'rsa');
  return {
    regionId,
    keyPairName,
    otherKeyPairName,
    holdingDemoKey: state.seedFleet({ regionId, count: counts.holdingDemoKey, keyPairName }),
    holdingOtherKey: state.seedFleet({
      regionId,
      count: counts.holdingOtherKey,
      keyPairName: otherKeyPairName,
    }),
    withoutKey: state.seedFleet({ regionId, count: counts.withoutKey }),
    windows: state.seedFleet({ regionId, count: counts.windows, osType: 'windows' }),
  };
}
