/** The outcome model: what happened to each instance, and the result a caller receives. */
import type { Mode, Target } from './request';

/**
 * Detached: ECS detached the key pair. Revoked (Online): the key was removed from the guest,
 * and ECS held no such key pair there to detach. WouldDetach / WouldRevoke: a dry run's plan.
 * Skipped: nothing to do, the desired state already holds. Failed: see Code and Retryable.
 */
export const STATUSES = [
  'Detached',
  'Revoked',
  'WouldDetach',
  'WouldRevoke',
  'Skipped',
  'Failed',
] as const;
export type InstanceStatus = (typeof STATUSES)[number];

/** What happened to one instance, before it is rendered. */
export interface InstanceOutcome {
  status: InstanceStatus;
  code: string;
  message: string;
  /** For Failed: whether the same request, sent again later, may succeed. */
  retryable: boolean;
}

/** One authorized keys file the removal script changed on a guest. */
export interface RemovedFrom {
  User: string;
  Path: string;
  /** 1-based line numbers of the lines removed. */
  Lines: number[];
}

/** What the removal script did on one guest (Online). */
export interface GuestRemoval {
  invokeId?: string;
  exitCode?: number;
  /** The key is in none of the guest's authorized keys files now. */
  keyRemoved: boolean;
  removedFrom: RemovedFrom[];
}

/** Restarted: back to Running. Failed: ECS refused it or it did not come back in time. */
export type RestartOutcome = 'Restarted' | 'NotRestarted' | 'Failed';

/** When password login comes back on an instance that ECS detached its key pair from. */
export type PasswordLogin = 'AfterNextRestart' | 'Now';

export interface InstanceResult {
  InstanceId: string;
  /** With a Target: the instance's region. */
  RegionId?: string;
  Status: InstanceStatus;
  Success: boolean;
  Code: string;
  Message: string;
  Retryable: boolean;
  /** The guest still accepts the key until the instance restarts. */
  RestartRequired: boolean;
  /** Present where ECS detached the key pair: the instance falls back to password login. */
  PasswordLogin?: PasswordLogin;
  /** Online: whether the key is gone from every authorized keys file of the guest now. */
  KeyRemoved?: boolean;
  /** Online: what the removal script removed. */
  RemovedFrom?: RemovedFrom[];
  InvokeId?: string;
  ExitCode?: number;
  /** Reboot: what became of the restart. */
  Restart?: RestartOutcome;
  /** Reboot dry run: the wave (1-based) the instance would restart in. */
  RestartWave?: number;
}

/**
 * DeleteKeyPair in one region. Deleted: ECS deleted it. WouldDelete: a dry run's plan. Kept: an
 * instance failed or still holds it (Code says which). Failed: ECS refused the call otherwise.
 */
export interface KeyPairDeletion {
  Status: 'Deleted' | 'WouldDelete' | 'Kept' | 'Failed';
  Code: string;
  Message: string;
}

/** With a Target: what happened in one region. */
export interface RegionSummary {
  RegionId: string;
  /** Instances the Target selected there; each has an entry in Results. */
  SelectedCount: number;
  FailCount: number;
  /** Present when the request asked for DeleteKeyPair. */
  KeyPair?: KeyPairDeletion;
  /** Present when the region failed as a whole; the other regions went on. */
  Code?: string;
  Message?: string;
}

export interface DetachResult {
  RequestId: string;
  RegionId: string;
  KeyPairName: string;
  Mode: Mode;
  DryRun: boolean;
  TotalCount: number;
  DetachedCount: number;
  RevokedCount: number;
  WouldDetachCount: number;
  WouldRevokeCount: number;
  SkippedCount: number;
  FailCount: number;
  /** True when the function's deadline stopped work; the affected instances say DeadlineExceeded. */
  DeadlineExceeded: boolean;
  Results: InstanceResult[];
  EcsRequestIds: string[];
  /** Present when the request selected its instances by Target. */
  Target?: Target;
  /** With a Target: one summary per region searched, in the order the request named them. */
  Regions?: RegionSummary[];
}

/** Every instance a failed call covered shares its cause. */
export function failedBy(error: {
  code: string;
  message: string;
  retryable: boolean;
}): InstanceOutcome {
  return {
    status: 'Failed',
    code: error.code,
    message: error.message,
    retryable: error.retryable,
  };
}
