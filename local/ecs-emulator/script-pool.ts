/**
 * At most `limit` guest scripts running at once; the rest wait their turn in arrival order, so a
 * RunCommand over a hundred instances cannot start a hundred processes on a two-core machine.
 */
export interface ScriptPool {
  /** Runs `task` when a slot is free; the slot is held until its promise settles. */
  run(task: () => Promise<void>): void;
  /** Forgets every task still waiting (the running ones are stopped by their owner). */
  clear(): void;
}

export function createScriptPool(limit: number): ScriptPool {
  const waiting: Array<() => Promise<void>> = [];
  let running = 0;
  const next = (): void => {
    while (running < limit && waiting.length > 0) {
      const task = waiting.shift() as () => Promise<void>;
      running++;
      task()
        .catch((error: unknown) => console.error('ecs-emulator: guest script task failed', error))
        .finally(() => {
          running--;
          next();
        });
    }
  };
  return {
    run(task) {
      waiting.push(task);
      next();
    },
    clear() {
      waiting.length = 0;
    },
  };
}
