import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';

export const REMOVAL_SCRIPT_PATH = join(
  __dirname,
  '../../functions/detach-key-pair/src/guest/remove-key.sh',
);

/** The shells the removal script must run under: bash, and the system's POSIX sh (dash here). */
export const SHELLS = ['bash', 'sh'] as const;
export type Shell = (typeof SHELLS)[number];

export const ROOT_KEYS = '/root/.ssh/authorized_keys';
export const ALICE_KEYS = '/home/alice/.ssh/authorized_keys';

export interface Ownership {
  uid?: number;
  gid?: number;
  mode?: number;
}

/**
 * A guest file system in a fresh directory under the OS temp dir. Every path given to its methods
 * is a path on the guest ("/root/.ssh/authorized_keys") and lands inside `root`, never on this
 * machine's own /root or /home.
 */
export class GuestTree {
  readonly root: string;

  constructor() {
    this.root = mkdtempSync(join(realpathSync(tmpdir()), 'guest-'));
    chmodSync(this.root, 0o755);
    assertGuestRoot(this.root);
  }

  /** The host path of a guest path, refusing anything that would leave the tree. */
  hostPath(guestPath: string): string {
    const host = join(this.root, guestPath);
    if (!host.startsWith(this.root + sep) && host !== this.root) {
      throw new Error(`${guestPath} is outside the guest tree`);
    }
    return host;
  }

  mkdir(guestPath: string, { uid = 0, gid = 0, mode = 0o755 }: Ownership = {}): void {
    const host = this.hostPath(guestPath);
    mkdirSync(host, { recursive: true });
    chownSync(host, uid, gid);
    chmodSync(host, mode);
  }

  /** Writes a file (creating missing parent directories as root, 0755). */
  write(
    guestPath: string,
    content: string | Buffer,
    { uid = 0, gid = 0, mode = 0o600 }: Ownership = {},
  ): void {
    const host = this.hostPath(guestPath);
    mkdirSync(dirname(host), { recursive: true });
    writeFileSync(host, content);
    chownSync(host, uid, gid);
    chmodSync(host, mode);
  }

  read(guestPath: string): string {
    return readFileSync(this.hostPath(guestPath), 'latin1');
  }

  /** A user's home with a .ssh directory, both owned by the user, as sshd's StrictModes wants. */
  addHome(home: string, uid: number): void {
    this.mkdir(home, { uid, gid: uid, mode: 0o700 });
    this.mkdir(`${home}/.ssh`, { uid, gid: uid, mode: 0o700 });
  }

  /** Users root and alice (uid 1000), each with a home and a .ssh directory. */
  addRootAndAlice(): void {
    this.write(
      '/etc/passwd',
      'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\n',
      { mode: 0o644 },
    );
    this.addHome('/root', 0);
    this.addHome('/home/alice', 1000);
  }

  /** Every entry's kind, owner, mode, inode, mtime and content: compare two to see what changed. */
  snapshot(): Record<string, string> {
    const entries: Record<string, string> = {};
    const walk = (dir: string) => {
      for (const name of readdirSync(dir).sort()) {
        const host = join(dir, name);
        const stat = lstatSync(host);
        const content = stat.isFile() ? readFileSync(host).toString('base64') : '';
        entries[relative(this.root, host)] =
          `${stat.mode.toString(8)} ${stat.uid}:${stat.gid} ino=${stat.ino} ` +
          `mtime=${stat.mtimeMs} ${content}`;
        if (stat.isDirectory()) walk(host);
      }
    };
    walk(this.root);
    return entries;
  }

  remove(): void {
    assertGuestRoot(this.root);
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Throws unless `root` is a directory made for a test: absolute, under the OS temp dir. */
export function assertGuestRoot(root: string): void {
  const temp = realpathSync(tmpdir());
  if (!root.startsWith(temp + sep) || root.length <= temp.length + 1) {
    throw new Error(`GUEST_ROOT must be a test directory under ${temp}, not "${root}"`);
  }
}

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Script text to run instead of remove-key.sh (as `shell -c`), e.g. a built CommandContent. */
  content?: string;
  /** A directory of stand-in commands put first on PATH, to make a tool fail. */
  pathPrefix?: string;
  /** Runs the script as this user (and group) instead of root. */
  uid?: number;
}

/**
 * Runs the removal script on a guest tree with only the given variables (and PATH) in its
 * environment, so nothing from this process leaks into it.
 */
export function runRemovalScript(
  shell: Shell,
  guest: GuestTree,
  variables: Record<string, string>,
  { content, pathPrefix, uid }: RunOptions = {},
): ScriptRun {
  assertGuestRoot(guest.root);
  const path = [pathPrefix, process.env.PATH].filter(Boolean).join(':');
  const args = content === undefined ? [REMOVAL_SCRIPT_PATH] : ['-c', content];
  const result = spawnSync(shell, args, {
    env: { PATH: path, ...variables, GUEST_ROOT: guest.root },
    encoding: 'utf8',
    timeout: 30_000,
    ...(uid === undefined ? {} : { uid, gid: uid }),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
