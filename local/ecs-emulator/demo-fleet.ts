/**
 * The demo fleet `npm run emulator` and `npm start` serve: Linux instances holding the demo key
 * (ed25519), some holding another key (RSA), some with none, and one Windows instance (which
 * makes a DetachKeyPair batch fail whole), so every path of the function shows. The Linux
 * instances have guests (docs/emulator.md, "Guests"), made when first looked at. Holders carry an
 * `env` tag (half `prod`, half `staging`), and the demo key exists in a second region with a few
 * holders of its own; a third region has instances but no demo key, so selecting every holder
 * across regions shows too.
 */
import type { EcsState } from './state';

export const DEMO_FLEET = {
  regionId: 'cn-hangzhou',
  keyPairName: 'demo-key',
  otherKeyPairName: 'ops-key',
  /** Where the demo key exists too. */
  secondRegionId: 'cn-shanghai',
  /** Where it does not. */
  thirdRegionId: 'cn-beijing',
} as const;

export interface DemoFleetSize {
  holdingDemoKey: number;
  holdingOtherKey: number;
  withoutKey: number;
  windows: number;
  /** Holders of the demo key in the second region. */
  holdingDemoKeyElsewhere: number;
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
  /** Instance ids in the second region holding the demo key, and in the third holding none. */
  secondRegion: { regionId: string; holdingDemoKey: string[] };
  thirdRegion: { regionId: string; withoutKey: string[] };
}

const DEFAULT_SIZE: DemoFleetSize = {
  holdingDemoKey: 20,
  holdingOtherKey: 5,
  withoutKey: 5,
  windows: 1,
  holdingDemoKeyElsewhere: 4,
};

const envTag = (value: string) => [{ Key: 'env', Value: value }];

export function seedDemoFleet(state: EcsState, size: Partial<DemoFleetSize> = {}): DemoFleet {
  const counts = { ...DEFAULT_SIZE, ...size };
  const { regionId, keyPairName, otherKeyPairName, secondRegionId, thirdRegionId } = DEMO_FLEET;
  state.createKeyPair(regionId, keyPairName, 'ed25519');
  state.createKeyPair(regionId, otherKeyPairName, 'rsa');
  state.createKeyPair(secondRegionId, keyPairName, 'ed25519');
  const prod = Math.ceil(counts.holdingDemoKey / 2);
  return {
    regionId,
    keyPairName,
    otherKeyPairName,
    holdingDemoKey: [
      ...state.seedFleet({ regionId, count: prod, keyPairName, tags: envTag('prod') }),
      ...state.seedFleet({
        regionId,
        count: counts.holdingDemoKey - prod,
        keyPairName,
        tags: envTag('staging'),
      }),
    ],
    holdingOtherKey: state.seedFleet({
      regionId,
      count: counts.holdingOtherKey,
      keyPairName: otherKeyPairName,
    }),
    withoutKey: state.seedFleet({ regionId, count: counts.withoutKey }),
    windows: state.seedFleet({ regionId, count: counts.windows, osType: 'windows' }),
    secondRegion: {
      regionId: secondRegionId,
      holdingDemoKey: state.seedFleet({
        regionId: secondRegionId,
        count: counts.holdingDemoKeyElsewhere,
        keyPairName,
        tags: envTag('prod'),
      }),
    },
    thirdRegion: {
      regionId: thirdRegionId,
      withoutKey: state.seedFleet({ regionId: thirdRegionId, count: counts.withoutKey }),
    },
  };
}
