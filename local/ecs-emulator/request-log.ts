/** The requests the emulator answered, newest last, bounded so a long benchmark cannot grow it. */
export interface RequestLogEntry {
  /** Arrival, epoch milliseconds. */
  time: number;
  requestId: string;
  action: string;
  /** The key the request claimed to be signed with (known or not). */
  accessKeyId?: string;
  /** The action's own parameters; signature parameters and tokens are left out. */
  params: Record<string, string>;
  /** HTTP status answered; 0 when the connection was dropped. */
  status: number;
  code?: string;
  /** The injected fault that shaped the answer, if any. */
  fault?: 'dropped' | 'hang' | 'throttled' | 'error';
  durationMs: number;
}

export interface RequestLog {
  add(entry: RequestLogEntry): void;
  entries(): RequestLogEntry[];
  clear(): void;
}

export function createRequestLog(limit: number): RequestLog {
  let entries: RequestLogEntry[] = [];
  return {
    add(entry) {
      entries.push(entry);
      // Trim in chunks so each add stays O(1) amortised.
      if (entries.length > limit * 1.25) entries = entries.slice(entries.length - limit);
    },
    entries: () => entries.slice(-limit),
    clear() {
      entries = [];
    },
  };
}
