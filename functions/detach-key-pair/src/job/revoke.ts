/**
 * The revoke stage (Online): the project's removal script (guest/remove-key.sh) runs on each
 * Linux instance through Cloud Assistant, and only an instance whose guest no longer holds the
 * key goes on to the detach. An instance whose removal failed or did not finish keeps the key
 * pair attached, so it stays findable, and is reported Failed with Cloud Assistant's own code.
 * Facts: docs/ecs-facts.md (Cloud Assistant).
 */
import { EcsCallError } from '../errors';
import { CLOUD_ASSISTANT_STATUS_MAX_IDS, type InvokedInstance } from '../ecs/port';
import { toBoolean } from '../ecs/normalize';
import { keyFingerprint, parsePublicKey, type PublicKey } from '../guest/public-key';
import { buildRemovalCommand, fitsCommandContentLimit } from '../guest/removal-command';
import { parseRemovalOutput, REMOVAL_EXIT, type RemovalReport } from '../guest/removal-report';
import { REMOVAL_SCRIPT } from '../guest/removal-script';
import type { GuestRemoval, InstanceOutcome } from '../result';
import { chunked } from '../values';
import type { Job } from './context';
import { isCallFailure, type CallFailure } from './ledger';

/** What every RunCommand of a job sends: the script with the key's material set in it. */
export interface Revocation {
  key: PublicKey;
  commandContentBase64: string;
  /** This job's own: the prefix of its ClientTokens and the name of its command. */
  commandName: string;
  watcher: RunWatcher;
}

/** How long the script may run on one guest (RunCommand `Timeout`, seconds). */
export const SCRIPT_TIMEOUT_SECONDS = 60;

/**
 * Polling DescribeInvocations: soon at first (on an instance the script takes well under a
 * second), then each wait half as long again, up to 5 s or a twentieth of the time polled so far,
 * whichever is longer: a long wait (agents slow to pick commands up) then costs a few calls more
 * than it must, and finishes at most about 5 % later than it could.
 */
export const POLLING = {
  firstDelayMs: 500,
  growth: 1.5,
  maxDelayMs: 5000,
  elapsedShare: 0.05,
} as const;

/** Per-instance statuses after which nothing more happens to the run on that instance. */
const FINAL_STATUSES: ReadonlySet<string> = new Set([
  'Success',
  'Failed',
  'Error',
  'Timeout',
  'Cancelled',
  'Stopped',
  'Terminated',
  'Invalid',
  'Aborted',
]);

/** Cloud Assistant's per-instance codes after which the same request, sent later, may succeed. */
const PASSING_CAUSES: ReadonlySet<string> = new Set([
  'InstanceNotRunning',
  'ClientNotRunning',
  'ClientNotResponse',
  'ClientIsUpgrading',
  'DeliveryTimeout',
  'ExecutionTimeout',
  'ExecutionInterrupted',
]);

const NOTHING_REMOVED: GuestRemoval = { keyRemoved: false, removedFrom: [] };

function keyPairMissing(job: Job, requestId: string | undefined): EcsCallError {
  const { KeyPairName, RegionId } = job.request;
  return new EcsCallError(
    'DescribeKeyPairs',
    'keyPairNotFound',
    'InvalidKeyPairName.NotFound',
    `The key pair ${KeyPairName} does not exist in ${RegionId}.`,
    { requestId },
  );
}

/**
 * The key's public half (DescribeKeyPairs with IncludePublicKey) made into the RunCommand
 * content. Undefined when there is nothing to revoke with; the ledger then says why.
 */
export async function prepareRevocation(job: Job): Promise<Revocation | undefined> {
  const { request, port, ledger, calls } = job;
  let lookup;
  try {
    lookup = await calls.DescribeKeyPairs((options) =>
      port.findKeyPair(
        { regionId: request.RegionId, keyPairName: request.KeyPairName, includePublicKey: true },
        options,
      ),
    );
  } catch (error) {
    if (isCallFailure(error)) {
      ledger.fail(request.InstanceIds, error);
      return undefined;
    }
    throw error;
  }
  ledger.noteRequestId(lookup.requestId);
  if (!lookup.exists) {
    ledger.stopCause = keyPairMissing(job, lookup.requestId);
    return undefined;
  }
  const parsed = parsePublicKey(lookup.publicKey ?? '');
  const content = parsed.ok ? buildRemovalCommand(parsed.key, REMOVAL_SCRIPT).commandContent : '';
  if (!parsed.ok || !fitsCommandContentLimit(content)) {
    ledger.stopCause = new EcsCallError(
      'DescribeKeyPairs',
      'client',
      'InvalidPublicKey',
      `ECS returned no usable public key for ${request.KeyPairName}, so guests cannot be searched for it${parsed.ok ? '' : `: it ${parsed.problem}`}.`,
      { requestId: lookup.requestId },
    );
    return undefined;
  }
  ledger.keyFingerprint = lookup.fingerprint ?? keyFingerprint(parsed.key);
  const commandName = `detach-key-pair-${crypto.randomUUID()}`;
  return {
    key: parsed.key,
    commandContentBase64: content,
    commandName,
    watcher: new RunWatcher(job),
  };
}

/** The instances among `instanceIds` whose Cloud Assistant agent answers now. */
async function agentsOnline(job: Job, instanceIds: string[]): Promise<Set<string> | CallFailure> {
  const { request, port, ledger, calls } = job;
  const online = new Set<string>();
  try {
    for (const ids of chunked(instanceIds, CLOUD_ASSISTANT_STATUS_MAX_IDS)) {
      const page = await calls.DescribeCloudAssistantStatus((options) =>
        port.describeCloudAssistantStatus(
          { regionId: request.RegionId, instanceIds: ids },
          options,
        ),
      );
      ledger.noteRequestId(page.requestId);
      for (const status of page.statuses) {
        if (toBoolean(status.online)) online.add(String(status.instanceId));
      }
    }
  } catch (error) {
    if (isCallFailure(error)) return error;
    throw error;
  }
  return online;
}

function failed(code: string, message: string, retryable: boolean): InstanceOutcome {
  return { status: 'Failed', code, message, retryable };
}

function removedFrom(report: RemovalReport): GuestRemoval['removedFrom'] {
  return report.files.flatMap((file) =>
    file.status === 'removed' && file.removedCount > 0
      ? [{ User: file.user, Path: file.path, Lines: file.removedLines }]
      : [],
  );
}

/** Why the script did not leave the guest clean, from its exit code and its report. */
function scriptFailure(exitCode: number, report: RemovalReport | undefined): InstanceOutcome {
  const unsafe = report?.files.filter((file) => file.status !== 'removed') ?? [];
  const files = unsafe.map((file) => `${file.path}: ${'reason' in file ? file.reason : ''}`);
  const detail = files.length > 0 ? ` ${files.join('; ')}.` : '';
  if (exitCode === REMOVAL_EXIT.refused) {
    return failed(
      'RemovalRefused',
      `The script refused unsafe files, which may still hold the key:${detail}`,
      false,
    );
  }
  if (exitCode === REMOVAL_EXIT.failed) {
    return failed(
      'RemovalFailed',
      `The script could not rewrite files, which may still hold the key:${detail}`,
      true,
    );
  }
  return failed(
    'ExitCodeNonzero',
    `The removal script exited ${exitCode}${report?.error ? ` (${report.error.code}: ${report.error.message})` : ''}.`,
    false,
  );
}

/** One instance's final run: its outcome so far, and what the guest says was removed. */
function judgeRun(
  instance: InvokedInstance,
  invokeId: string,
): { outcome?: InstanceOutcome; guest: GuestRemoval } {
  const status = String(instance.invocationStatus ?? '');
  const exitCode =
    instance.exitCode === undefined || instance.exitCode === null
      ? undefined
      : Number(instance.exitCode);
  const parsed = parseRemovalOutput({
    output: String(instance.output ?? ''),
    dropped: Number(instance.dropped ?? 0) || 0,
  });
  const report = parsed.readable ? parsed.report : undefined;
  const guest: GuestRemoval = {
    invokeId,
    exitCode,
    keyRemoved: status === 'Success' && exitCode === REMOVAL_EXIT.done && report !== undefined,
    removedFrom: report ? removedFrom(report) : [],
  };
  if (guest.keyRemoved) return { guest };
  const errorCode = String(instance.errorCode ?? '');
  if (errorCode !== '' && errorCode !== 'ExitCodeNonzero') {
    const info = String(instance.errorInfo ?? '');
    return {
      guest,
      outcome: failed(
        errorCode,
        `Cloud Assistant did not run the removal script to the end (${status}${info ? `: ${info}` : ''}); the key pair stays attached.`,
        PASSING_CAUSES.has(errorCode),
      ),
    };
  }
  if (exitCode !== undefined && exitCode !== REMOVAL_EXIT.done) {
    return { guest, outcome: scriptFailure(exitCode, report) };
  }
  return {
    guest,
    outcome: failed(
      'UnreadableReport',
      `The removal script finished, but its report could not be read (${parsed.readable ? status : parsed.problem}); the key pair stays attached.`,
      true,
    ),
  };
}

interface Watched {
  instanceIds: ReadonlySet<string>;
  settle: (finals: Map<string, InvokedInstance> | CallFailure) => void;
  fail: (bug: unknown) => void;
}

/**
 * One poller for the whole job. Each round reads the job's invocations by their ids, oldest
 * first, each with its output, and settles each chunk whose runs are all final, until it meets
 * one that is not: runs end about in the order they were sent, so a round costs a call per chunk
 * settled and one more (a run that hangs until its Timeout holds the later chunks back as long,
 * never past the deadline). A listing of every invocation by the command's name would cost fewer
 * calls a round, but every page of it holds each instance of up to 50 invocations, and parsing
 * such pages took a 10,000-instance job past 128 MB (BENCHMARKS.md). At the deadline, which
 * leaves time only for the detach, each chunk gets what is final so far.
 */
export class RunWatcher {
  private readonly watched = new Map<string, Watched>();
  private polling = false;

  constructor(private readonly job: Job) {}

  watch(
    invokeId: string,
    instanceIds: string[],
  ): Promise<Map<string, InvokedInstance> | CallFailure> {
    return new Promise((settle, fail) => {
      this.watched.set(invokeId, { instanceIds: new Set(instanceIds), settle, fail });
      if (!this.polling) {
        this.polling = true;
        this.poll()
          .catch((bug: unknown) => this.release((entry) => entry.fail(bug)))
          .finally(() => {
            this.polling = false;
          });
      }
    });
  }

  private release(how: (entry: Watched) => void): void {
    this.watched.forEach(how);
    this.watched.clear();
  }

  private async poll(): Promise<void> {
    const { clock, deadline } = this.job;
    const started = clock.now();
    let delayMs: number = POLLING.firstDelayMs;
    while (this.watched.size > 0) {
      // Time for the wait, this poll and the detach after it; otherwise report what is known.
      if (deadline.remainingMs() < delayMs + POLLING.maxDelayMs) break;
      await clock.sleep(delayMs);
      const ceiling = Math.max(POLLING.maxDelayMs, (clock.now() - started) * POLLING.elapsedShare);
      delayMs = Math.min(ceiling, delayMs * POLLING.growth);
      const failure = await this.pollRound();
      if (failure) {
        this.release((entry) => entry.settle(failure));
        return;
      }
    }
    await this.settleWhatIsFinal();
  }

  /** Oldest first, settles each chunk whose runs are all final, up to the first that is not. */
  private async pollRound(): Promise<CallFailure | undefined> {
    for (const [invokeId, entry] of [...this.watched]) {
      const finals = await this.finalsOrFailure(invokeId, entry);
      if (!(finals instanceof Map)) return finals;
      if (finals.size < entry.instanceIds.size) break;
      this.watched.delete(invokeId);
      entry.settle(finals);
    }
    return undefined;
  }

  /** The invocation's runs that are final, with their output. */
  private async readFinals(
    invokeId: string,
    entry: Watched,
  ): Promise<Map<string, InvokedInstance>> {
    const { request, port, ledger, calls } = this.job;
    const page = await calls.DescribeInvocations((options) =>
      port.describeInvocations({ regionId: request.RegionId, invokeId }, options),
    );
    ledger.noteRequestId(page.requestId);
    const finals = new Map<string, InvokedInstance>();
    const invocation = page.invocations.find((found) => String(found.invokeId) === invokeId);
    for (const instance of invocation?.instances ?? []) {
      const instanceId = String(instance.instanceId);
      const final = FINAL_STATUSES.has(String(instance.invocationStatus ?? ''));
      if (final && entry.instanceIds.has(instanceId)) finals.set(instanceId, instance);
    }
    return finals;
  }

  /**
   * At the deadline: each chunk with the runs final so far, or why they could not be read. All
   * at once (within DescribeInvocations' ceiling), as only the detach's time is left; again for
   * any chunk sent meanwhile.
   */
  private async settleWhatIsFinal(): Promise<void> {
    while (this.watched.size > 0) {
      await Promise.all(
        [...this.watched].map(async ([invokeId, entry]) => {
          const finals = await this.finalsOrFailure(invokeId, entry);
          this.watched.delete(invokeId);
          entry.settle(finals);
        }),
      );
    }
  }

  private async finalsOrFailure(
    invokeId: string,
    entry: Watched,
  ): Promise<Map<string, InvokedInstance> | CallFailure> {
    try {
      return await this.readFinals(invokeId, entry);
    } catch (error) {
      if (isCallFailure(error)) return error;
      throw error;
    }
  }
}

/**
 * Runs the removal on at most 100 instances. Returns the ids whose guest no longer holds the key;
 * every other instance has its Failed outcome recorded, and each that ran has its guest finding.
 */
export async function revokeChunk(
  job: Job,
  revocation: Revocation,
  instanceIds: string[],
  chunkIndex: number,
): Promise<string[]> {
  const { request, port, ledger, calls } = job;
  if (ledger.stopCause) {
    ledger.fail(instanceIds, ledger.stopCause);
    return [];
  }
  const online = await agentsOnline(job, instanceIds);
  if (!(online instanceof Set)) {
    ledger.fail(instanceIds, online);
    return [];
  }
  for (const instanceId of instanceIds.filter((id) => !online.has(id))) {
    ledger.guests.set(instanceId, NOTHING_REMOVED);
    ledger.record(
      instanceId,
      failed(
        'ClientNotRunning',
        "The instance's Cloud Assistant agent does not answer (or the instance is not Running); the key pair stays attached.",
        true,
      ),
    );
  }
  const reachable = instanceIds.filter((id) => online.has(id));
  if (reachable.length === 0) return [];
  let invokeId: string | undefined;
  try {
    const reply = await calls.RunCommand((options) =>
      port.runCommand(
        {
          regionId: request.RegionId,
          instanceIds: reachable,
          commandContentBase64: revocation.commandContentBase64,
          timeoutSeconds: SCRIPT_TIMEOUT_SECONDS,
          commandName: revocation.commandName,
          // The same token on a retry after a lost answer: Cloud Assistant runs nothing twice.
          clientToken: `${revocation.commandName}-${chunkIndex}`,
        },
        options,
      ),
    );
    ledger.noteCallOn(reachable, reply.requestId);
    invokeId = reply.invokeId;
  } catch (error) {
    if (isCallFailure(error)) {
      ledger.fail(reachable, error);
      return [];
    }
    throw error;
  }
  if (invokeId === undefined) {
    ledger.fail(
      reachable,
      new EcsCallError(
        'RunCommand',
        'client',
        'InvalidResponse',
        'RunCommand answered without an InvokeId.',
      ),
    );
    return [];
  }
  const runs = await revocation.watcher.watch(invokeId, reachable);
  if (!(runs instanceof Map)) {
    ledger.fail(reachable, runs);
    return [];
  }
  const cleaned: string[] = [];
  for (const instanceId of reachable) {
    const run = runs.get(instanceId);
    if (run === undefined) {
      ledger.guests.set(instanceId, { ...NOTHING_REMOVED, invokeId });
      ledger.record(
        instanceId,
        failed(
          'RemovalUnfinished',
          `The removal script had not finished when the function's time ran out (invocation ${invokeId}); the key pair stays attached.`,
          true,
        ),
      );
      continue;
    }
    const judged = judgeRun(run, invokeId);
    ledger.guests.set(instanceId, judged.guest);
    if (judged.outcome) ledger.record(instanceId, judged.outcome);
    else cleaned.push(instanceId);
  }
  return cleaned;
}
