import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../functions/detach-key-pair/src/log';

/** A logger whose JSON lines are kept for assertions. */
export function capturingLogger(level = 'debug'): {
  logger: Logger;
  lines: string[];
  entries: () => Record<string, unknown>[];
} {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  return {
    logger: createLogger(level, destination),
    lines,
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
