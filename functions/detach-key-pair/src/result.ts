/** The outcome model: what happened to each instance, and the result a caller receives. */
export const STATUSES = ['Detached', 'WouldDetach', 'Skipped', 'Failed'] as const;
export type InstanceStatus = (typeof STATUSES)[number];

/** What happened to one instance, before it is rendered. */
export interface InstanceOutcome {
  status: InstanceStatus;
  code: string;
  message: string;
  /** For Failed: whether the same request, sent again later, may succeed. */
  retryable: boolean;
}

export interface InstanceResult {
  InstanceId: string;
  Status: InstanceStatus;
  Success: boolean;
  Code: string;
  Message: string;
  Retryable: boolean;
}

export interface DetachResult {
  RequestId: string;
  RegionId: string;
  KeyPairName: string;
  DryRun: boolean;
  TotalCount: number;
  DetachedCount: number;
  WouldDetachCount: number;
  SkippedCount: number;
  FailCount: number;
  /** True when the function's deadline stopped work; the affected instances say DeadlineExceeded. */
  DeadlineExceeded: boolean;
  Results: InstanceResult[];
  EcsRequestIds: string[];
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
