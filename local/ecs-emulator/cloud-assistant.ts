/**
 * The Cloud Assistant agent of every instance, and the invocations it runs. A RunShellScript
 * really runs: `bash` on this machine, one process per instance, as the emulator's own user, with
 * its working directory inside the guest's tree and GUEST_ROOT set to that tree, so a script that
 * prefixes its paths with `$GUEST_ROOT` (empty on a real instance) edits that guest's files.
 * Statuses, error codes and limits: docs/emulator.md, "Cloud Assistant".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { pathInGuest, readGuestFile, realPathInGuest } from './guests';
import { randomAlphanumeric, type Random } from './random';
import { createScriptPool, type ScriptPool } from './script-pool';
import type { EcsState, InstanceRecord } from './state';

/** Output kept per instance; the rest is counted in Dropped. */
export const OUTPUT_LIMIT_BYTES = 24 * 1024;

export type CommandType = 'RunShellScript' | 'RunBatScript' | 'RunPowerShellScript';

export type InvocationStatus = 'Pending' | 'Running' | 'Success' | 'Failed' | 'Error' | 'Timeout';

/** A command as RunCommand sends it, or as KeepCommand saved it for InvokeCommand. */
export interface Command {
  readonly commandId: string;
  readonly regionId: string;
  readonly name: string;
  readonly description: string;
  readonly type: CommandType;
  /** Plain text, placeholders not yet replaced. */
  readonly content: string;
  readonly enableParameter: boolean;
  readonly timeoutSeconds: number;
  readonly workingDir: string;
}

/** One invocation's choices, over its command's. */
export interface InvocationRequest {
  command: Command;
  /** The script as run: placeholders replaced. */
  script: string;
  parameters: Record<string, string>;
  timeoutSeconds: number;
  username: string;
  /** Guest path; empty: the user's home. */
  workingDir: string;
}

export interface InstanceRun {
  readonly seq: number;
  readonly instanceId: string;
  readonly creationTime: string;
  status: InvocationStatus;
  exitCode?: number;
  errorCode: string;
  errorInfo: string;
  output: Buffer;
  dropped: number;
  startTime: string;
  finishTime: string;
  updateTime: string;
}

export interface Invocation extends InvocationRequest {
  readonly seq: number;
  readonly invokeId: string;
  readonly regionId: string;
  readonly creationTime: string;
  readonly runs: InstanceRun[];
}

export interface CloudAssistantOptions {
  state: EcsState;
  random: Random;
  /** How long the agent takes to pick a command up. */
  agentDelayMs: number;
  /** Scripts running at once, the rest queued. */
  maxConcurrentScripts: number;
}

interface Refusal {
  code: string;
  info: string;
}

interface Running {
  child: ChildProcess;
  instanceId: string;
  interrupted: boolean;
}

/** Seconds-precision UTC, as Cloud Assistant prints times: `2024-05-01T08:30:12Z`. */
export function isoSeconds(ms = Date.now()): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export const FINAL_STATUSES: ReadonlySet<InvocationStatus> = new Set([
  'Success',
  'Failed',
  'Error',
  'Timeout',
]);

/** The default number of scripts at once: a small multiple of the cores. */
export const DEFAULT_MAX_CONCURRENT_SCRIPTS = 2 * availableParallelism();

/** The guest user's home directory from the guest's /etc/passwd, or undefined if no such user. */
function homeOf(root: string, username: string): string | undefined {
  const passwd = readGuestFile(root, '/etc/passwd') ?? '';
  for (const line of passwd.split(/\r?\n/)) {
    const fields = line.split(':');
    if (fields.length >= 7 && fields[0] === username) return fields[5] || '/';
  }
  return undefined;
}

export class CloudAssistant {
  private readonly invocationsById = new Map<string, Invocation>();
  private readonly commandsById = new Map<string, Command>();
  private readonly clientTokens = new Map<string, { invokeId: string; fingerprint: string }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Map<InstanceRun, Running>();
  private readonly pool: ScriptPool;
  private nextSeq = 1;

  public constructor(private readonly options: CloudAssistantOptions) {
    this.pool = createScriptPool(Math.max(1, options.maxConcurrentScripts));
  }

  /** Whether the agent answers now: on a Running Linux instance whose agent is not offline. */
  public agentOnline(record: InstanceRecord): boolean {
    return (
      record.osType === 'linux' &&
      this.options.state.statusOf(record) === 'Running' &&
      !this.options.state.faultsOf(record.id).agentOffline
    );
  }

  public newCommandId(): string {
    return `c-${randomAlphanumeric(this.options.random, 20)}`;
  }

  public keepCommand(command: Command): void {
    this.commandsById.set(command.commandId, command);
  }

  public keptCommand(regionId: string, commandId: string): Command | undefined {
    const command = this.commandsById.get(commandId);
    return command?.regionId === regionId ? command : undefined;
  }

  /** The invocation an earlier call with this ClientToken made, and what that call asked. */
  public byClientToken(
    regionId: string,
    clientToken: string,
  ): { invocation: Invocation; fingerprint: string } | undefined {
    const entry = this.clientTokens.get(`${regionId}\n${clientToken}`);
    const invocation = entry && this.invocationsById.get(entry.invokeId);
    return invocation && entry && { invocation, fingerprint: entry.fingerprint };
  }

  /** The region's invocations, oldest first. */
  public invocations(regionId: string): Invocation[] {
    return [...this.invocationsById.values()].filter((i) => i.regionId === regionId);
  }

  /** Starts an invocation on the instances (already checked to exist in the region). */
  public invoke(
    request: InvocationRequest,
    records: InstanceRecord[],
    clientToken?: { token: string; fingerprint: string },
  ): Invocation {
    const now = isoSeconds();
    const invocation: Invocation = {
      ...request,
      seq: this.nextSeq++,
      invokeId: `t-${randomAlphanumeric(this.options.random, 20)}`,
      regionId: request.command.regionId,
      creationTime: now,
      runs: records.map((record) => ({
        seq: this.nextSeq++,
        instanceId: record.id,
        creationTime: now,
        status: 'Pending',
        errorCode: '',
        errorInfo: '',
        output: Buffer.alloc(0),
        dropped: 0,
        startTime: '',
        finishTime: '',
        updateTime: now,
      })),
    };
    this.invocationsById.set(invocation.invokeId, invocation);
    if (clientToken) {
      this.clientTokens.set(`${invocation.regionId}\n${clientToken.token}`, {
        invokeId: invocation.invokeId,
        fingerprint: clientToken.fingerprint,
      });
    }
    invocation.runs.forEach((run, i) => this.deliver(invocation, run, records[i]));
    return invocation;
  }

  /** A restart kills the instance's running scripts: ExecutionInterrupted. */
  public interrupt(instanceId: string): void {
    for (const entry of this.running.values()) {
      if (entry.instanceId !== instanceId) continue;
      entry.interrupted = true;
      killTree(entry.child);
    }
  }

  /** Scripts that ran to an end since the last reset, and the time they took in all. */
  private scriptsRun = 0;
  private scriptMs = 0;

  public scriptStats(): { scriptsRun: number; scriptMs: number } {
    return { scriptsRun: this.scriptsRun, scriptMs: this.scriptMs };
  }

  /** Stops every script and timer and forgets every invocation and command. */
  public reset(): void {
    this.scriptsRun = 0;
    this.scriptMs = 0;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.pool.clear();
    for (const entry of this.running.values()) killTree(entry.child);
    this.running.clear();
    this.invocationsById.clear();
    this.commandsById.clear();
    this.clientTokens.clear();
  }

  private after(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }

  private finish(run: InstanceRun, status: InvocationStatus, refusal?: Refusal): void {
    if (FINAL_STATUSES.has(run.status)) return;
    run.status = status;
    run.errorCode = refusal?.code ?? '';
    run.errorInfo = refusal?.info ?? '';
    run.finishTime = isoSeconds();
    run.updateTime = run.finishTime;
  }

  /** Why the agent cannot take a command on this instance now, if it cannot. */
  private refusal(invocation: Invocation, record: InstanceRecord): Refusal | undefined {
    if (this.options.state.statusOf(record) !== 'Running') {
      return { code: 'InstanceNotRunning', info: 'the instance is not running' };
    }
    if (this.options.state.faultsOf(record.id).agentOffline) {
      return { code: 'ClientNotRunning', info: 'the Cloud Assistant agent is not running' };
    }
    if (record.osType !== 'linux' || invocation.command.type !== 'RunShellScript') {
      return {
        code: 'CommandNotApplicable',
        info: 'the emulator runs RunShellScript on Linux instances only',
      };
    }
    return undefined;
  }

  private deliver(invocation: Invocation, run: InstanceRun, record: InstanceRecord): void {
    const refusal = this.refusal(invocation, record);
    if (refusal) return this.finish(run, 'Failed', refusal);
    if (this.options.state.faultsOf(record.id).agentUnresponsive) {
      return this.after(invocation.timeoutSeconds * 1000, () =>
        this.finish(run, 'Failed', {
          code: 'DeliveryTimeout',
          info: 'ClientNotResponse: the Cloud Assistant agent did not pick the command up',
        }),
      );
    }
    this.after(this.options.agentDelayMs, () =>
      this.pool.run(() => this.execute(invocation, run, record)),
    );
  }

  /** Where the script runs in the guest, or why it cannot. */
  private place(
    invocation: Invocation,
    record: InstanceRecord,
  ): { root: string; home: string; cwd: string } | Refusal {
    const root = this.options.state.guestRoot(record.id);
    const home = homeOf(root, invocation.username);
    if (home === undefined) {
      return { code: 'AccountNotExists', info: `the user ${invocation.username} does not exist` };
    }
    const directory = invocation.workingDir || home;
    const missing = {
      code: 'DirectoryNotExists',
      info: `the directory ${directory} does not exist`,
    };
    let cwd: string;
    try {
      cwd = realPathInGuest(root, directory);
    } catch {
      return missing;
    }
    if (!existsSync(cwd) || !statSync(cwd).isDirectory()) return missing;
    return { root, home: pathInGuest(root, home), cwd };
  }

  private execute(invocation: Invocation, run: InstanceRun, record: InstanceRecord): Promise<void> {
    if (FINAL_STATUSES.has(run.status)) return Promise.resolve();
    const refusal = this.refusal(invocation, record);
    if (refusal) return Promise.resolve(this.finish(run, 'Failed', refusal));
    let place: ReturnType<CloudAssistant['place']>;
    try {
      place = this.place(invocation, record);
    } catch (error) {
      const info = error instanceof Error ? error.message : String(error);
      return Promise.resolve(this.finish(run, 'Error', { code: 'ExecutionException', info }));
    }
    if ('code' in place) return Promise.resolve(this.finish(run, 'Failed', place));
    const script = this.options.state.faultsOf(record.id).scriptHangs
      ? 'exec sleep 2147483'
      : invocation.script;
    return new Promise((resolve) => {
      const child = spawn('bash', ['-c', script], {
        cwd: place.cwd,
        // Never the emulator's own environment: it may hold credentials.
        env: {
          PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
          LANG: 'C.UTF-8',
          GUEST_ROOT: place.root,
          // The guest home's path here, so `~` stays inside the guest.
          HOME: place.home,
          USER: invocation.username,
          LOGNAME: invocation.username,
        },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const entry: Running = { child, instanceId: record.id, interrupted: false };
      this.running.set(run, entry);
      run.status = 'Running';
      run.startTime = isoSeconds();
      run.updateTime = run.startTime;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        killTree(child);
      }, invocation.timeoutSeconds * 1000);
      const collect = (chunk: Buffer): void => {
        const room = OUTPUT_LIMIT_BYTES - run.output.length;
        if (room > 0) run.output = Buffer.concat([run.output, chunk.subarray(0, room)]);
        run.dropped += Math.max(0, chunk.length - Math.max(room, 0));
      };
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      const started = performance.now();
      const settle = (): void => {
        clearTimeout(timer);
        this.running.delete(run);
        this.scriptsRun += 1;
        this.scriptMs += performance.now() - started;
        resolve();
      };
      child.once('error', (error) => {
        this.finish(run, 'Error', { code: 'ExecutionException', info: error.message });
        settle();
      });
      child.once('close', (code) => {
        settle();
        if (timedOut) {
          this.finish(run, 'Timeout', {
            code: 'ExecutionTimeout',
            info: `the script ran past its timeout of ${invocation.timeoutSeconds} s`,
          });
        } else if (entry.interrupted) {
          this.finish(run, 'Failed', {
            code: 'ExecutionInterrupted',
            info: 'the instance restarted while the script ran',
          });
        } else if (code === 0) {
          run.exitCode = 0;
          this.finish(run, 'Success');
        } else {
          run.exitCode = code ?? -1;
          this.finish(run, 'Failed', {
            code: 'ExitCodeNonzero',
            info: `the script exited with code ${run.exitCode}`,
          });
        }
      });
    });
  }
}

/** Kills the script and everything it started (its own process group). */
function killTree(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
