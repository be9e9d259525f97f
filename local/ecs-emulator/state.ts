/**
 * What the emulated ECS holds: regions, key pairs and instances, indexed by id, by region and by
 * (region, key pair) so a request costs what its answer costs, not what the fleet costs. Every
 * mutation is synchronous, so each API call sees and leaves a consistent state however many
 * requests are in flight.
 */
import {
  generateKeyMaterial,
  publicKeyMaterial,
  type GeneratedKeyMaterial,
  type KeyType,
  type PublicKeyMaterial,
} from './key-material';
import { bootGuest } from './guest-boot';
import { imageFiles, type GuestFile, type GuestFiles } from './guest-image';
import { GuestTrees, readGuestFile, writeGuestFile } from './guests';
import type { InstanceFaults } from './instance-faults';
import { randomAlphanumeric, type Random } from './random';
import { DEFAULT_REGIONS } from './regions';

export type OsType = 'linux' | 'windows';
export type InstanceStatus = 'Pending' | 'Running' | 'Starting' | 'Stopping' | 'Stopped';

/** One tag of an instance, in the API's own field names. */
export interface InstanceTag {
  Key: string;
  Value: string;
}

/** An instance as tests read it, in the API's own field names. */
export interface InstanceView {
  InstanceId: string;
  RegionId: string;
  OSType: OsType;
  Status: InstanceStatus;
  KeyPairName?: string;
  Tags?: InstanceTag[];
}

export interface InstanceRecord {
  /** Creation order: the stable sort key that paging cursors point into. */
  readonly seq: number;
  readonly id: string;
  readonly regionId: string;
  readonly osType: OsType;
  readonly name: string;
  readonly creationTime: string;
  readonly tags: readonly InstanceTag[];
  status: InstanceStatus;
  keyPairName?: string;
  rebootStartedAt?: number;
  /** Files a fixture gave the guest's image, written when its tree is made. */
  readonly guestFiles?: GuestFiles;
  /** The key pair attached at the last boot (null: none); undefined if it never booted. */
  bootedWith?: KeyPairRecord | null;
  /** `type base64` of the key ECS put in root's authorized_keys at the last boot on disk. */
  ecsKey?: string;
  /** Whether the guest's tree exists on disk yet. */
  guestMade?: boolean;
}

/**
 * Seeded key material, made on first use and kept for the process: RSA generation takes a
 * noticeable fraction of a second, and a test suite recreates the same key pairs after each reset.
 */
const seededMaterial = new Map<string, PublicKeyMaterial>();

export class KeyPairRecord {
  public readonly creationTime = minuteTimestamp();

  public constructor(
    public readonly regionId: string,
    public readonly name: string,
    private material: PublicKeyMaterial | KeyType,
  ) {}

  public get publicKey(): string {
    return this.resolved().publicKey;
  }

  public get fingerPrint(): string {
    return this.resolved().fingerPrint;
  }

  private resolved(): PublicKeyMaterial {
    if (typeof this.material !== 'string') return this.material;
    const type = this.material;
    const cacheKey = `${type}\n${this.regionId}\n${this.name}`;
    let material = seededMaterial.get(cacheKey);
    if (!material) {
      const { publicKey, fingerPrint } = generateKeyMaterial(type, this.name);
      material = { publicKey, fingerPrint };
      seededMaterial.set(cacheKey, material);
    }
    this.material = material;
    return material;
  }
}

export interface SeedFleetOptions {
  regionId: string;
  count: number;
  keyPairName?: string;
  osType?: OsType;
  status?: InstanceStatus;
  tags?: InstanceTag[];
}

export interface InstanceSpec {
  InstanceId?: string;
  RegionId: string;
  OSType?: OsType;
  Status?: InstanceStatus;
  KeyPairName?: string;
  InstanceName?: string;
  Tags?: InstanceTag[];
  /** Files of the guest's image (Linux only), over the seeded ones: path → content or {content, mode}. */
  GuestFiles?: GuestFiles;
}

/** The JSON fixture shape: every part optional. */
export interface EcsFixture {
  regions?: string[];
  /** Seeded key pairs: RSA unless KeyType says ed25519, or the given OpenSSH PublicKey. */
  keyPairs?: Array<{
    RegionId: string;
    KeyPairName: string;
    KeyType?: KeyType;
    PublicKey?: string;
  }>;
  instances?: InstanceSpec[];
  fleets?: SeedFleetOptions[];
}

export interface StateOptions {
  random: Random;
  /** How long RebootInstance takes, Stopping for the first half and Starting for the second. */
  rebootMs: number;
  /** Where the emulator's temporary directory of guest trees goes; default the OS's. */
  guestDir?: string;
}

/** Members of one (region, key pair) index entry, with a sorted view rebuilt only after change. */
interface KeyPairMembers {
  members: Set<InstanceRecord>;
  sorted?: InstanceRecord[];
}

const bySeq = (a: InstanceRecord, b: InstanceRecord): number => a.seq - b.seq;

/** ECS prints creation times to the minute: `2024-05-01T08:30Z`. */
function minuteTimestamp(): string {
  return `${new Date().toISOString().slice(0, 16)}Z`;
}

export class EcsState {
  private readonly regionIds = new Set<string>();
  private readonly keyPairsByRegion = new Map<string, Map<string, KeyPairRecord>>();
  private readonly instancesById = new Map<string, InstanceRecord>();
  private readonly instancesByRegion = new Map<string, InstanceRecord[]>();
  private readonly instancesByKeyPair = new Map<string, KeyPairMembers>();
  private readonly faultsByInstance = new Map<string, InstanceFaults>();
  private readonly guests: GuestTrees;
  private nextSeq = 1;

  public constructor(private readonly options: StateOptions) {
    this.guests = new GuestTrees(options.guestDir);
    this.clear();
  }

  /** Back to a fresh account: the default regions and nothing in them. */
  public clear(): void {
    this.regionIds.clear();
    this.keyPairsByRegion.clear();
    this.instancesById.clear();
    this.instancesByRegion.clear();
    this.instancesByKeyPair.clear();
    this.faultsByInstance.clear();
    this.guests.removeAll();
    for (const { regionId } of DEFAULT_REGIONS) this.addRegion(regionId);
  }

  /** Removes the guest trees from disk; the emulator's stop() calls it. */
  public dispose(): void {
    this.guests.removeAll();
  }

  public addRegion(regionId: string): void {
    this.regionIds.add(regionId);
  }

  public hasRegion(regionId: string): boolean {
    return this.regionIds.has(regionId);
  }

  public regions(): string[] {
    return [...this.regionIds];
  }

  /**
   * Creates the key pair if it does not exist yet (its key generated when first read: RSA unless
   * `keyType` says ed25519); returns it either way.
   */
  public createKeyPair(
    regionId: string,
    keyPairName: string,
    keyType: KeyType = 'rsa',
  ): KeyPairRecord {
    return this.keyPair(regionId, keyPairName) ?? this.storeKeyPair(regionId, keyPairName, keyType);
  }

  /** Stores an imported public key (already parsed and checked) under a new name. */
  public importKeyPair(
    regionId: string,
    keyPairName: string,
    material: PublicKeyMaterial,
  ): KeyPairRecord {
    return this.storeKeyPair(regionId, keyPairName, material);
  }

  /** A new RSA key pair under a new name; the private key is returned here and kept nowhere. */
  public generateKeyPair(regionId: string, keyPairName: string): GeneratedKeyMaterial {
    const generated = generateKeyMaterial('rsa', keyPairName);
    this.storeKeyPair(regionId, keyPairName, {
      publicKey: generated.publicKey,
      fingerPrint: generated.fingerPrint,
    });
    return generated;
  }

  private storeKeyPair(
    regionId: string,
    keyPairName: string,
    material: PublicKeyMaterial | KeyType,
  ): KeyPairRecord {
    this.addRegion(regionId);
    let keyPairs = this.keyPairsByRegion.get(regionId);
    if (!keyPairs) {
      keyPairs = new Map();
      this.keyPairsByRegion.set(regionId, keyPairs);
    }
    const created = new KeyPairRecord(regionId, keyPairName, material);
    keyPairs.set(keyPairName, created);
    return created;
  }

  public keyPair(regionId: string, keyPairName: string): KeyPairRecord | undefined {
    return this.keyPairsByRegion.get(regionId)?.get(keyPairName);
  }

  /** Removes the key pair; the caller has checked that no instance holds it. */
  public deleteKeyPair(regionId: string, keyPairName: string): boolean {
    return this.keyPairsByRegion.get(regionId)?.delete(keyPairName) ?? false;
  }

  /** The region's key pairs in creation order. */
  public keyPairs(regionId: string): KeyPairRecord[] {
    return [...(this.keyPairsByRegion.get(regionId)?.values() ?? [])];
  }

  public addInstance(spec: InstanceSpec): string {
    const id = spec.InstanceId ?? this.newInstanceId();
    if (this.instancesById.has(id)) throw new Error(`instance ${id} already exists`);
    this.addRegion(spec.RegionId);
    const record: InstanceRecord = {
      seq: this.nextSeq++,
      id,
      regionId: spec.RegionId,
      osType: spec.OSType ?? 'linux',
      name: spec.InstanceName ?? `emulated-${id.slice(2, 10)}`,
      creationTime: minuteTimestamp(),
      tags: spec.Tags ?? [],
      status: spec.Status ?? 'Running',
      guestFiles: spec.GuestFiles,
      bootedWith: undefined,
      ecsKey: undefined,
      guestMade: false,
    };
    this.instancesById.set(id, record);
    const regional = this.instancesByRegion.get(spec.RegionId) ?? [];
    regional.push(record);
    this.instancesByRegion.set(spec.RegionId, regional);
    if (spec.KeyPairName) {
      this.createKeyPair(spec.RegionId, spec.KeyPairName);
      this.setKeyPair(record, spec.KeyPairName);
    }
    // A seeded running instance has booted once, with the key pair it holds.
    if (record.status === 'Running') record.bootedWith = this.attachedKeyPair(record) ?? null;
    return id;
  }

  /** Adds `count` instances alike; creates the key pair if it is new. Returns their ids. */
  public seedFleet(options: SeedFleetOptions): string[] {
    const ids: string[] = [];
    for (let i = 0; i < options.count; i++) {
      ids.push(
        this.addInstance({
          RegionId: options.regionId,
          OSType: options.osType,
          Status: options.status,
          KeyPairName: options.keyPairName,
          Tags: options.tags,
        }),
      );
    }
    return ids;
  }

  public load(fixture: EcsFixture): void {
    for (const regionId of fixture.regions ?? []) this.addRegion(regionId);
    for (const keyPair of fixture.keyPairs ?? []) {
      const material = keyPair.PublicKey && publicKeyMaterial(keyPair.PublicKey);
      if (keyPair.PublicKey && !material) {
        throw new Error(`fixture key pair ${keyPair.KeyPairName}: not an OpenSSH public key`);
      }
      if (material) this.importKeyPair(keyPair.RegionId, keyPair.KeyPairName, material);
      else this.createKeyPair(keyPair.RegionId, keyPair.KeyPairName, keyPair.KeyType);
    }
    for (const spec of fixture.instances ?? []) this.addInstance(spec);
    for (const fleet of fixture.fleets ?? []) this.seedFleet(fleet);
  }

  /** A snapshot of one instance, or undefined when there is none with that id. */
  public instance(id: string): InstanceView | undefined {
    const record = this.instancesById.get(id);
    if (!record) return undefined;
    return {
      InstanceId: record.id,
      RegionId: record.regionId,
      OSType: record.osType,
      Status: this.statusOf(record),
      ...(record.keyPairName && { KeyPairName: record.keyPairName }),
      ...(record.tags.length > 0 && { Tags: [...record.tags] }),
    };
  }

  public findInstance(id: string): InstanceRecord | undefined {
    return this.instancesById.get(id);
  }

  /** Ids of the region's instances that hold the key pair now, in creation order. */
  public instancesHolding(regionId: string, keyPairName: string): string[] {
    return this.instancesWithKeyPair(regionId, keyPairName).map((record) => record.id);
  }

  /**
   * The region's instances among `ids` in creation order (ids of no instance there left out), or,
   * when no ids are given, all of the region's instances (shared: do not mutate).
   */
  public instancesListed(regionId: string, ids: readonly string[]): readonly InstanceRecord[] {
    if (ids.length === 0) return this.instancesIn(regionId);
    return ids
      .map((id) => this.instancesById.get(id))
      .filter((r): r is InstanceRecord => r?.regionId === regionId)
      .sort(bySeq);
  }

  /** The region's instances in creation order (shared: do not mutate). */
  public instancesIn(regionId: string): readonly InstanceRecord[] {
    return this.instancesByRegion.get(regionId) ?? [];
  }

  /** The region's instances holding the key pair, in creation order (shared: do not mutate). */
  public instancesWithKeyPair(regionId: string, keyPairName: string): readonly InstanceRecord[] {
    const entry = this.instancesByKeyPair.get(keyPairIndexKey(regionId, keyPairName));
    if (!entry) return [];
    entry.sorted ??= [...entry.members].sort(bySeq);
    return entry.sorted;
  }

  /** Binds a key pair (replacing any other: one per instance) or, with undefined, unbinds. */
  public setKeyPair(record: InstanceRecord, keyPairName: string | undefined): void {
    // A restart that has finished boots with the key pair it had then, not with this one.
    this.statusOf(record);
    if (record.keyPairName === keyPairName) return;
    if (record.keyPairName) {
      const old = this.instancesByKeyPair.get(keyPairIndexKey(record.regionId, record.keyPairName));
      old?.members.delete(record);
      if (old) old.sorted = undefined;
    }
    record.keyPairName = keyPairName;
    if (!keyPairName) return;
    const key = keyPairIndexKey(record.regionId, keyPairName);
    const entry = this.instancesByKeyPair.get(key) ?? { members: new Set() };
    entry.members.add(record);
    entry.sorted = undefined;
    this.instancesByKeyPair.set(key, entry);
  }

  /**
   * The status now. A reboot is kept as its start time rather than timers, so nothing is left
   * pending when the emulator stops and the phases are exact whenever they are read.
   */
  public statusOf(record: InstanceRecord): InstanceStatus {
    if (record.rebootStartedAt === undefined) return record.status;
    const elapsed = Date.now() - record.rebootStartedAt;
    if (elapsed < this.options.rebootMs / 2) return 'Stopping';
    if (elapsed < this.options.rebootMs || this.faultsOf(record.id).stuckInStarting) {
      return 'Starting';
    }
    record.rebootStartedAt = undefined;
    record.status = 'Running';
    this.boot(record);
    return record.status;
  }

  /** The instance's faults (none: an empty object). */
  public faultsOf(instanceId: string): InstanceFaults {
    return this.faultsByInstance.get(instanceId) ?? {};
  }

  /** Replaces the instance's faults; `{}` clears them. */
  public setInstanceFaults(instanceId: string, faults: InstanceFaults): void {
    this.faultsByInstance.set(instanceId, faults);
  }

  public clearInstanceFaults(): void {
    this.faultsByInstance.clear();
  }

  /**
   * The absolute path of a Linux instance's guest tree, made now if it was not yet: the image's
   * files, the fixture's, and what its last boot did to them. Throws for an unknown id or a
   * Windows instance (which has no such tree).
   */
  public guestRoot(instanceId: string): string {
    const record = this.instancesById.get(instanceId);
    if (!record) throw new Error(`no instance ${instanceId}`);
    if (record.osType !== 'linux')
      throw new Error(`${instanceId} is Windows: it has no guest tree`);
    this.statusOf(record);
    const root = this.guests.rootOf(record.id);
    if (record.guestMade) return root;
    this.guests.make(record.id, [imageFiles(record.id), record.guestFiles ?? {}]);
    record.guestMade = true;
    if (record.bootedWith !== undefined) {
      record.ecsKey = bootGuest(root, undefined, record.bootedWith?.publicKey);
    }
    return root;
  }

  /** The directory holding every guest tree (made on first use), removed by dispose(). */
  public guestsDir(): string {
    return this.guests.baseDir();
  }

  /** Writes one file of a guest (path as on the instance), after its tree is made. */
  public writeGuestFile(instanceId: string, guestPath: string, file: string | GuestFile): void {
    writeGuestFile(this.guestRoot(instanceId), guestPath, file);
  }

  /** One file of a guest (path as on the instance), or undefined when it does not exist. */
  public readGuestFile(instanceId: string, guestPath: string): string | undefined {
    return readGuestFile(this.guestRoot(instanceId), guestPath);
  }

  private attachedKeyPair(record: InstanceRecord): KeyPairRecord | undefined {
    return record.keyPairName ? this.keyPair(record.regionId, record.keyPairName) : undefined;
  }

  /** The image's init at boot: on disk if the tree exists, else remembered for when it is made. */
  private boot(record: InstanceRecord): void {
    const keyPair = this.attachedKeyPair(record);
    record.bootedWith = keyPair ?? null;
    if (!record.guestMade || record.osType !== 'linux') return;
    try {
      record.ecsKey = bootGuest(this.guests.rootOf(record.id), record.ecsKey, keyPair?.publicKey);
    } catch (error) {
      // A fixture can leave a guest unbootable (a directory where a file should be); the
      // instance still runs, as a real one whose init failed would.
      console.error(`ecs-emulator: boot of ${record.id} failed:`, error);
    }
  }

  public startReboot(record: InstanceRecord): void {
    record.rebootStartedAt = Date.now();
  }

  private newInstanceId(): string {
    for (;;) {
      const id = `i-${randomAlphanumeric(this.options.random, 20)}`;
      if (!this.instancesById.has(id)) return id;
    }
  }
}

function keyPairIndexKey(regionId: string, keyPairName: string): string {
  return `${regionId}\n${keyPairName}`;
}
