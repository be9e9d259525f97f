import { Writable } from 'node:stream';

export const ANSI_ESCAPE = '\u001b[';

/** Cursor moves, line clears and the like (or a line's end): what a terminal acts on, not shows. */
// eslint-disable-next-line no-control-regex
const NOT_SHOWN = /\u001b\[[0-9;?]*[A-Za-z]|\n/;

/**
 * A stream that keeps what was written: a terminal at a person's prompt (`isTTY`), or a pipe or
 * a file, as the CLI's stdout and stderr.
 */
export class CapturedStream extends Writable {
  readonly columns = 160;
  written = '';

  constructor(readonly isTTY: boolean) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.written += chunk.toString('utf8');
    done();
  }

  /** Each text drawn, in the order drawn, without the control sequences between them. */
  drawn(): string[] {
    return this.written
      .split(NOT_SHOWN)
      .map((text) => text.trimEnd())
      .filter((text) => text !== '');
  }

  /** What the line that starts with `label` showed last. */
  lastDrawn(label: string): string | undefined {
    return this.drawn()
      .reverse()
      .find((text) => text.startsWith(label));
  }
}
