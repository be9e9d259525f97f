/**
 * A local ECS that speaks the real RPC protocol on 127.0.0.1, for tests, `npm start` and the
 * benchmarks. The API here is the one docs/CONTRACTS.md promises.
 *
 * @example
 * const emu = await startEcsEmulator({ port: 0, seed: 42 });
 * const credentials = emu.issueCredentials({ sts: true });
 * emu.state.seedFleet({ regionId: 'cn-hangzhou', count: 100, keyPairName: 'leaked' });
 * // ... point the SDK at emu.endpoint over http ...
 * await emu.stop();
 */
import type { AddressInfo } from 'node:net';
import { createAuthSettings } from './auth';
import { CloudAssistant, DEFAULT_MAX_CONCURRENT_SCRIPTS } from './cloud-assistant';
import { DEFAULT_BEHAVIOUR, type Behaviour } from './behaviour';
import { type IssueCredentialsOptions, type IssuedCredentials } from './credentials';
import { createFaultInjector, type FaultConfig } from './faults';
import type { InstanceFaults } from './instance-faults';
import { seededRandom } from './random';
import { createRequestLog, type RequestLogEntry } from './request-log';
import { createEcsServer } from './server';
import { EcsState, type EcsFixture } from './state';
import { createWaits } from './waits';

export type { Behaviour, PerInstanceOutcome } from './behaviour';
export type { IssueCredentialsOptions, IssuedCredentials } from './credentials';
export type { FaultConfig } from './faults';
export type { GuestFile, GuestFiles } from './guest-image';
export type { InstanceFaults } from './instance-faults';
export type { KeyType } from './key-material';
export type { RamPolicy, RamStatement } from './ram';
export type { RequestLogEntry } from './request-log';
export type { EcsFixture, InstanceView, OsType, SeedFleetOptions } from './state';
export { EcsState } from './state';
export { DEMO_FLEET, seedDemoFleet, type DemoFleet } from './demo-fleet';

export interface EcsEmulatorOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Seeds the random source behind faults and generated instance ids. Default 1. */
  seed?: number;
  /** The account id in RAM resource names. */
  accountId?: string;
  /** Where the docs disagree or are silent: see Behaviour. */
  behaviour?: Partial<Behaviour>;
  /** State loaded at start and again on reset(). */
  fixture?: EcsFixture;
  /** Clock skew the gateway tolerates. Default 15 minutes. */
  maxClockSkewMs?: number;
  /** Request log entries kept (oldest dropped first). Default 10,000. */
  requestLogLimit?: number;
  /** How long things take inside instances; see Timing. */
  timing?: Partial<Timing>;
  /**
   * Where the emulator makes its temporary directory of guest trees (removed by stop()).
   * Default: the OS's temporary directory.
   */
  guestDir?: string;
  /** Guest scripts running at once; the rest wait. Default twice the cores. */
  maxConcurrentScripts?: number;
}

export interface Timing {
  /**
   * How long a restart takes: Stopping for the first half, Starting for the second. Default
   * `behaviour.rebootMs` (2000), which this supersedes.
   */
  rebootMs: number;
  /** How long the Cloud Assistant agent takes to pick up a command. Default 200. */
  agentDelayMs: number;
}

export interface EcsEmulator {
  /** `127.0.0.1:PORT`, what the SDK's Config.endpoint takes (with protocol 'http'). */
  readonly endpoint: string;
  /** `http://127.0.0.1:PORT`, what ECS_ENDPOINT is set to locally. */
  readonly url: string;
  readonly state: EcsState;
  readonly behaviour: Readonly<Behaviour>;
  issueCredentials(options?: IssueCredentialsOptions): IssuedCredentials;
  /** Faults for one action, or '*' for every action (an action's own settings win). */
  setFaults(action: string, faults: FaultConfig): void;
  /** Faults of one instance (agent, scripts, restarts); `{}` clears them. */
  setInstanceFaults(instanceId: string, faults: InstanceFaults): void;
  /** Clears action and instance faults alike. */
  clearFaults(): void;
  /** Answered requests, oldest first. */
  readonly requestLog: RequestLogEntry[];
  /**
   * Scripts Cloud Assistant ran since the last reset, and their summed run time: with
   * `maxConcurrentScripts`, the least time any caller could take to have them all run.
   */
  scriptStats(): { scriptsRun: number; scriptMs: number };
  /**
   * Back to the state at start: fixture reloaded, faults, log and nonces cleared, guest trees
   * removed. Keys stay.
   */
  reset(): void;
  /** Stops the server and removes every guest tree. */
  stop(): Promise<void>;
}

const FIFTEEN_MINUTES = 15 * 60 * 1000;
const DEFAULT_AGENT_DELAY_MS = 200;

export async function startEcsEmulator(options: EcsEmulatorOptions = {}): Promise<EcsEmulator> {
  const seed = options.seed ?? 1;
  let random = seededRandom(seed);
  const rebootMs =
    options.timing?.rebootMs ?? options.behaviour?.rebootMs ?? DEFAULT_BEHAVIOUR.rebootMs;
  const behaviour: Behaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour, rebootMs };
  // Indirection so reset() can restart the sequence without rebuilding the parts holding it.
  const replayable = (): number => random();
  const state = new EcsState({ random: replayable, rebootMs, guestDir: options.guestDir });
  const cloudAssistant = new CloudAssistant({
    state,
    random: replayable,
    agentDelayMs: options.timing?.agentDelayMs ?? DEFAULT_AGENT_DELAY_MS,
    maxConcurrentScripts: options.maxConcurrentScripts ?? DEFAULT_MAX_CONCURRENT_SCRIPTS,
  });
  const auth = createAuthSettings(options.maxClockSkewMs ?? FIFTEEN_MINUTES);
  const faults = createFaultInjector(replayable);
  const log = createRequestLog(options.requestLogLimit ?? 10_000);
  const waits = createWaits();
  const loadFixture = (): void => {
    if (options.fixture) state.load(options.fixture);
  };
  loadFixture();

  const server = createEcsServer({
    context: {
      state,
      behaviour,
      accountId: options.accountId ?? '1234567890123456',
      cloudAssistant,
    },
    auth,
    faults,
    log,
    waits,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `127.0.0.1:${port}`;

  return {
    endpoint,
    url: `http://${endpoint}`,
    state,
    behaviour,
    issueCredentials: (issue) => auth.credentials.issue(issue),
    setFaults: (action, config) => faults.set(action, config),
    setInstanceFaults: (instanceId, config) => state.setInstanceFaults(instanceId, config),
    clearFaults() {
      faults.clear();
      state.clearInstanceFaults();
    },
    get requestLog() {
      return log.entries();
    },
    scriptStats: () => cloudAssistant.scriptStats(),
    reset() {
      random = seededRandom(seed);
      cloudAssistant.reset();
      state.clear();
      loadFixture();
      faults.clear();
      log.clear();
      auth.nonces.clear();
    },
    async stop() {
      waits.releaseAll();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      cloudAssistant.reset();
      state.dispose();
    },
  };
}
