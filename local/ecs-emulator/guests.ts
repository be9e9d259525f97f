/**
 * Linux guests' file systems, as directory trees on this machine under one temporary directory
 * the emulator owns (made on first use, removed by stop()). A guest path such as
 * `/root/.ssh/authorized_keys` lives at `<guest root>/root/.ssh/authorized_keys`; nothing here
 * ever resolves a guest path outside its guest root.
 */
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import type { GuestFile, GuestFiles } from './guest-image';

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const isInside = (root: string, path: string): boolean => {
  const inside = relative(root, path);
  return !inside.startsWith('..') && !isAbsolute(inside);
};

/** The host path of `guestPath` inside `root`; throws for a path that would leave it. */
export function pathInGuest(root: string, guestPath: string): string {
  const path = resolve(root, `.${guestPath.startsWith('/') ? '' : '/'}${guestPath}`);
  if (!isInside(root, path)) throw new Error(`guest path ${guestPath} leaves the guest`);
  return path;
}

/**
 * `pathInGuest`, also when symbolic links are followed: the deepest part of the path that exists
 * must resolve inside the guest, and the path itself may not be a link. So neither the emulator
 * (which runs as this machine's user, maybe root) nor a boot writes through a link a script made
 * to a file of this machine.
 */
export function realPathInGuest(root: string, guestPath: string): string {
  const path = pathInGuest(root, guestPath);
  let existing = path;
  while (!lstatSync(existing, { throwIfNoEntry: false })) existing = dirname(existing);
  const leaves =
    (existing === path && lstatSync(path).isSymbolicLink()) ||
    !isInside(realpathSync(root), realpathSync(existing));
  if (leaves) throw new Error(`guest path ${guestPath} leaves the guest through a link`);
  return path;
}

export function writeGuestFile(root: string, guestPath: string, file: string | GuestFile): void {
  const { content, mode } = typeof file === 'string' ? { content: file, mode: undefined } : file;
  const path = realPathInGuest(root, guestPath);
  // sshd refuses a ~/.ssh others can write to; images make it 0700.
  mkdirSync(dirname(path), {
    recursive: true,
    mode: dirname(guestPath).endsWith('/.ssh') ? 0o700 : 0o755,
  });
  writeFileSync(path, content);
  if (mode !== undefined) chmodSync(path, mode);
}

export function readGuestFile(root: string, guestPath: string): string | undefined {
  const path = realPathInGuest(root, guestPath);
  return lstatSync(path, { throwIfNoEntry: false }) ? readFileSync(path, 'utf8') : undefined;
}

export class GuestTrees {
  private base?: string;

  /** `parentDir`: where the emulator's own temporary directory goes; default the OS's. */
  public constructor(private readonly parentDir?: string) {}

  /** The directory every guest tree is in, made on first use. */
  public baseDir(): string {
    this.base ??= mkdtempSync(join(this.parentDir ?? tmpdir(), 'ecs-emulator-guests-'));
    return this.base;
  }

  public rootOf(instanceId: string): string {
    if (!SAFE_ID.test(instanceId)) {
      throw new Error(`instance id ${instanceId} cannot name a guest directory`);
    }
    return join(this.baseDir(), instanceId);
  }

  /** Makes the tree from `layers` (later ones win), returning its root. */
  public make(instanceId: string, layers: GuestFiles[]): string {
    const root = this.rootOf(instanceId);
    mkdirSync(root, { recursive: true });
    for (const files of layers) {
      for (const [guestPath, file] of Object.entries(files)) writeGuestFile(root, guestPath, file);
    }
    return root;
  }

  /** Removes every tree and the directory holding them. */
  public removeAll(): void {
    if (this.base) rmSync(this.base, { recursive: true, force: true });
    this.base = undefined;
  }
}
