/**
 * Timed waits (injected latency, hung responses) that stop() can cut short, so a hung request
 * never keeps the process or a test alive.
 */
export interface Waits {
  wait(ms: number): Promise<void>;
  releaseAll(): void;
}

export function createWaits(): Waits {
  const pending = new Map<NodeJS.Timeout, () => void>();
  return {
    wait(ms) {
      if (ms <= 0) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(timer);
          resolve();
        }, ms);
        pending.set(timer, resolve);
      });
    },
    releaseAll() {
      for (const [timer, resolve] of pending) {
        clearTimeout(timer);
        resolve();
      }
      pending.clear();
    },
  };
}
