/**
 * The unit project's test environment: a unit test that listens or connects fails, at the place
 * it did. A test that needs a socket belongs to test/integration.
 *
 * Node's own modules are shared by every test file a worker runs, whatever its project, so the
 * guard is put on in setup() and taken off in teardown(), which run even when a file fails to
 * load. A refused call throws, and teardown fails the file too, so code that catches the error
 * (an SDK retrying what it takes for a network error) cannot hide it.
 */
import { Server, Socket } from 'node:net';
import { TestEnvironment } from 'jest-environment-node';

type Guarded =
  { type: typeof Server; method: 'listen' } | { type: typeof Socket; method: 'connect' };

const GUARDED: Guarded[] = [
  { type: Server, method: 'listen' },
  { type: Socket, method: 'connect' },
];

export default class NoSocketsEnvironment extends TestEnvironment {
  private readonly refused: Error[] = [];
  private readonly restore: (() => void)[] = [];

  override async setup(): Promise<void> {
    await super.setup();
    for (const { type, method } of GUARDED) {
      const prototype = type.prototype as unknown as Record<string, unknown>;
      const original = prototype[method];
      prototype[method] = (): never => {
        const error = new Error(
          `A unit test may not open a socket (net.${type.name}.${method}): move it to test/integration.`,
        );
        this.refused.push(error);
        throw error;
      };
      this.restore.push(() => {
        prototype[method] = original;
      });
    }
  }

  override async teardown(): Promise<void> {
    for (const undo of this.restore.splice(0)) undo();
    await super.teardown();
    if (this.refused.length > 0) throw this.refused[0];
  }
}
