// zod/mini, as in request.ts: the parser loads with the function, at every cold start.
import * as z from 'zod/mini';

/** remove-key.sh's exit codes (docs/guest-script.md). */
export const REMOVAL_EXIT = {
  /** No covered file holds the key any more. */
  done: 0,
  /** The key variables or GUEST_ROOT were missing or malformed; nothing was touched. */
  badInput: 2,
  /** A file was refused as unsafe; the key may still be in it. Other files were cleaned. */
  refused: 3,
  /** A file could not be read or rewritten; the key may still be in it. */
  failed: 4,
  /** /etc/passwd could not be read, so no file was covered. */
  guestUnreadable: 5,
} as const;

const count = z.int().check(z.minimum(0));
const lineNumber = z.int().check(z.minimum(1));
const where = { user: z.string(), path: z.string() };

const fileSchema = z.discriminatedUnion('status', [
  z.strictObject({
    ...where,
    status: z.literal('removed'),
    removedCount: count,
    removedLines: z.array(lineNumber),
  }),
  z.strictObject({ ...where, status: z.literal('refused'), reason: z.string() }),
  z.strictObject({ ...where, status: z.literal('failed'), reason: z.string() }),
]);

const reportSchema = z.strictObject({
  version: z.literal(1),
  error: z.optional(z.strictObject({ code: z.string(), message: z.string() })),
  files: z.array(fileSchema),
  summary: z.strictObject({
    filesScanned: count,
    linesRemoved: count,
    filesRefused: count,
    filesFailed: count,
  }),
});

/** What remove-key.sh did on one guest. */
export type RemovalReport = z.infer<typeof reportSchema>;
export type RemovalFile = RemovalReport['files'][number];

/** A report, or why the output could not be read as one. Never an exception. */
export type RemovalOutput =
  { readable: true; report: RemovalReport } | { readable: false; problem: string };

export interface InvocationOutput {
  /** The `Output` field of DescribeInvocations, in the ContentEncoding asked for. */
  output: string;
  /** DescribeInvocations' ContentEncoding; Base64 is its default. */
  encoding?: 'Base64' | 'PlainText';
  /** Bytes Cloud Assistant dropped past its output limit (`Dropped`). */
  dropped?: number;
}

/**
 * Reads remove-key.sh's report from what Cloud Assistant returns. The report is the last line
 * that starts with `{`: a guest may print warnings before it. Output that is empty, cut short,
 * not JSON, not the report's shape, or whose counts disagree with its files, is unreadable; the
 * problem names which without quoting the output, which can hold the key's material.
 */
export function parseRemovalOutput({
  output,
  encoding = 'Base64',
  dropped = 0,
}: InvocationOutput): RemovalOutput {
  const text = encoding === 'Base64' ? Buffer.from(output, 'base64').toString('utf8') : output;
  if (dropped > 0) {
    return unreadable(`the output was cut short (${dropped} bytes dropped)`);
  }
  const line = text
    .split('\n')
    .reverse()
    .find((candidate) => candidate.startsWith('{'));
  if (line === undefined) {
    return unreadable(text.trim() === '' ? 'the output is empty' : 'the output holds no report');
  }
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return unreadable('the report is not valid JSON');
  }
  const parsed = z.safeParse(reportSchema, json);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)');
    return unreadable(`the report does not have the expected shape (at ${where.join(', ')})`);
  }
  const disagreement = checkCounts(parsed.data);
  return disagreement === undefined
    ? { readable: true, report: parsed.data }
    : unreadable(`the report's counts disagree: ${disagreement}`);
}

function unreadable(problem: string): RemovalOutput {
  return { readable: false, problem };
}

function checkCounts({ files, summary }: RemovalReport): string | undefined {
  let linesRemoved = 0;
  let filesRefused = 0;
  let filesFailed = 0;
  for (const file of files) {
    if (file.status === 'removed') {
      if (file.removedCount !== file.removedLines.length) {
        return `${file.path} lists ${file.removedLines.length} lines, not ${file.removedCount}`;
      }
      linesRemoved += file.removedCount;
    } else if (file.status === 'refused') {
      filesRefused += 1;
    } else {
      filesFailed += 1;
    }
  }
  const listed = { linesRemoved, filesRefused, filesFailed };
  const wrong = (Object.keys(listed) as (keyof typeof listed)[]).find(
    (name) => listed[name] !== summary[name],
  );
  return wrong && `summary.${wrong} is ${summary[wrong]}, the files add up to ${listed[wrong]}`;
}
