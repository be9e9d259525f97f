import { fork } from 'node:child_process';
import { DEPLOYED_NODE_FLAGS, plainNodeEnv } from './env';
import type { ChildReply, ChildRequest, ProcessMemory } from './protocol';

export interface InvocationTiming {
  ms: number;
  result: unknown;
  memory: ProcessMemory;
}

export interface InvokeChild {
  invoke(request: ChildRequest): Promise<InvocationTiming>;
  stop(): Promise<void>;
}

/**
 * Forks the invoke child with node as s.yaml configures it (no tsx or jest loaders) and waits
 * until it has loaded the function bundle and run its initializer. One request at a time:
 * replies carry no correlation id.
 */
export async function startInvokeChild(options: {
  script: string;
  functionBundle: string;
  env: NodeJS.ProcessEnv;
}): Promise<InvokeChild> {
  const child = fork(options.script, [options.functionBundle], {
    execArgv: DEPLOYED_NODE_FLAGS,
    env: plainNodeEnv(options.env),
    // The function's logs are discarded: on FC they leave the process too, and here they would
    // bury the table.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  const nextReply = (): Promise<ChildReply> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void =>
        reject(new Error(`invoke child exited (${code}): ${stderr}`));
      child.once('exit', onExit);
      child.once('message', (message: ChildReply) => {
        child.off('exit', onExit);
        resolve(message);
      });
    });

  const ready = await nextReply();
  if (ready.kind !== 'ready') {
    throw new Error(`invoke child did not start: ${JSON.stringify(ready)}`);
  }

  return {
    async invoke(request) {
      const replied = nextReply();
      child.send(request);
      const message = await replied;
      if (message.kind !== 'done') {
        throw new Error(`invocation failed: ${JSON.stringify(message)}`);
      }
      return { ms: message.ms, result: message.result, memory: message.memory };
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
}
