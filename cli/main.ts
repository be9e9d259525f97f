/**
 * detach-key-pair: the ops CLI. Detaches a key pair from a list of instances by invoking the
 * function in chunks (about 500 ids each, a few at a time) and reports one merged result.
 * Exit codes: 0 every instance done, 1 some failed, 2 bad usage or a refused request.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { signTriggerRequest } from './acs3-sign';
import { mapWithConcurrency } from './concurrency';
import { RefusedError, UsageError } from './errors';
import { send } from './http-client';
import { chunked } from '../functions/detach-key-pair/src/values';
import { createInvoker } from './invokers';
import {
  credentialsFrom,
  DEFAULT_CHUNK_SIZE,
  DEFAULT_FUNCTION_NAME,
  parseUrl,
  positiveInteger,
  resolveRunPlan,
  type CliFlags,
} from './options';
import { silentProgress, startProgress, summary, wantsColour } from './report';
import {
  EXIT_USAGE_OR_REFUSED,
  exitCodeFor,
  instanceResultsOf,
  mergeResults,
  type ChunkOutcome,
} from './result';

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readFile: (path: string) => string;
}

const ENVIRONMENT_HELP = `
Credentials come from the environment only: ALIBABA_CLOUD_ACCESS_KEY_ID,
ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN (STS).
Target defaults: FC_HTTP_TRIGGER_URL, FC_ACCOUNT_ID, FC_REGION, FC_ENDPOINT,
FC_SERVICE_NAME, FC_FUNCTION_NAME, FC_QUALIFIER.

Exit codes: 0 every instance done (Detached, Skipped, WouldDetach), 1 some failed,
2 bad usage or a refused request (what was obtained before a refusal is still printed).`;

async function detach(flags: CliFlags, io: CliIo): Promise<number> {
  const plan = resolveRunPlan(flags, io.env, io.readFile);
  // A Target is one invocation: the function selects, and checks the selection as a whole.
  const selecting = plan.request.Target !== undefined;
  const chunks = selecting ? [[]] : chunked(plan.instanceIds, plan.chunkSize);
  const invoke = createInvoker(plan.target, plan.request, plan.credentials, plan.timeoutMs);
  const progress =
    io.stderr.isTTY && !plan.json
      ? startProgress(io.stderr, {
          mode: plan.request.Mode ?? 'Detach',
          dryRun: plan.request.DryRun,
          instances: selecting ? undefined : plan.instanceIds.length,
          invocations: chunks.length,
        })
      : silentProgress;
  // Kept as each invocation answers, so a refusal of a later one cannot lose what was obtained.
  const outcomes: Array<ChunkOutcome | undefined> = chunks.map(() => undefined);
  let stopped: { error: unknown } | undefined;
  try {
    await mapWithConcurrency(chunks, plan.concurrency, async (ids, index) => {
      const outcome = await invoke(ids);
      outcomes[index] = outcome;
      progress.answered(instanceResultsOf(outcome));
    });
  } catch (error) {
    stopped = { error };
  } finally {
    progress.stop();
  }
  const obtained = outcomes.filter((outcome): outcome is ChunkOutcome => outcome !== undefined);
  const result = mergeResults(plan.request, obtained);
  const print = (): void => {
    io.stdout.write(
      plan.json
        ? `${JSON.stringify(result, null, 2)}\n`
        : summary(result, { colour: wantsColour(io.stdout, io.env) }),
    );
  };
  if (stopped === undefined) {
    print();
    return exitCodeFor(result);
  }
  if (obtained.length > 0) {
    // Instances may already be detached: the operator needs to see which, refusal or not.
    print();
    io.stderr.write(
      `detach-key-pair: stopped early; the result above covers ${result.TotalCount} of ${plan.instanceIds.length} instances, the others got no answer.\n`,
    );
  }
  throw stopped.error;
}

/** A single signed request to the HTTP trigger, printed raw: the `npm start` banner's example. */
async function httpRequest(
  flags: { url: string; data: string; method: string; timeout: string },
  io: CliIo,
): Promise<number> {
  const url = parseUrl(flags.url);
  const timeoutMs = positiveInteger(flags.timeout, '--timeout') * 1000;
  const body = Buffer.from(flags.data);
  const method = flags.method.toUpperCase();
  const headers = signTriggerRequest(url, method, body, credentialsFrom(io.env));
  const reply = await send(url, method, headers, body, timeoutMs);
  io.stdout.write(`HTTP ${reply.status}\n`);
  for (const [name, value] of Object.entries(reply.headers)) {
    if (name.startsWith('x-fc-') || name === 'content-type')
      io.stdout.write(`${name}: ${String(value)}\n`);
  }
  io.stdout.write(`\n${reply.body}\n`);
  return reply.status >= 200 && reply.status < 300 && reply.headers['x-fc-error-type'] === undefined
    ? 0
    : 1;
}

function program(io: CliIo, setExitCode: (code: number) => void): Command {
  const cli = new Command('detach-key-pair')
    // Options after `http-request` are its own, though the root has a --url and --timeout too.
    .enablePositionalOptions()
    .description('Detach an SSH key pair from ECS instances through the detach-key-pair function.')
    .option('--region <regionId>', 'ECS region of the instances, e.g. cn-hangzhou')
    .option('--key-pair <name>', 'the key pair to detach')
    .option('--instances <ids>', 'comma-separated instance ids')
    .option('--instances-file <file>', 'instance ids, one a line, or a JSON array')
    .option(
      '--target <holders|all>',
      'instead of ids: every holder of the key, or (--mode Online) every Linux instance',
    )
    .option(
      '--tag <key=value>',
      'with --target: only instances with this tag (repeatable; all must match)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--regions <a,b|all>', 'with --target: these regions, or all that have the key')
    .option('--expected-count <n>', 'with --target: change nothing unless exactly n are selected')
    .option('--delete-key-pair', 'delete the key pair in each region once nothing holds it')
    .option('--dry-run', 'report what would be detached; change nothing')
    .option(
      '--mode <mode>',
      'Detach (ECS record only), Online (remove the key from every guest first) or Reboot',
      'Detach',
    )
    .option('--max-unavailable <n>', 'Reboot: instances restarting at once (default 10%)')
    .option('--force-reboot', 'Reboot: restart without waiting for a clean shutdown')
    .option('--json', 'print the merged result as JSON instead of tables')
    .option('--url <url>', 'call the HTTP trigger at this URL (ACS3-signed) instead of the FC API')
    .option('--account-id <id>', 'FC account id (FC API)')
    .option('--fc-region <regionId>', 'region of the function (FC API); default --region')
    .option('--endpoint <url>', 'FC API endpoint, e.g. for a VPC endpoint or the local runtime')
    .option('--service <name>', 'FC 2.0 service name (FC API); default the function name')
    .option('--function <name>', 'function name (FC API)')
    .option('--qualifier <qualifier>', 'version or alias (FC API)')
    .option(
      '--chunk-size <n>',
      'instance ids per invocation; smaller moves the progress in finer steps',
      String(DEFAULT_CHUNK_SIZE),
    )
    .option('--concurrency <n>', 'invocations in flight at once', '4')
    .option('--timeout <seconds>', 'client timeout per invocation', '900')
    .addHelpText(
      'after',
      `${ENVIRONMENT_HELP}\nThe function name defaults to ${DEFAULT_FUNCTION_NAME}.`,
    )
    .action(async (flags: CliFlags) => setExitCode(await detach(flags, io)));
  cli
    .command('http-request')
    .description('send one ACS3-signed request to the HTTP trigger and print the raw response')
    .requiredOption('--url <url>', 'the HTTP trigger URL')
    .option('--data <json>', 'request body', '')
    .option('--method <method>', 'HTTP method', 'POST')
    .option('--timeout <seconds>', 'client timeout', '900')
    .action(async (flags: { url: string; data: string; method: string; timeout: string }) =>
      setExitCode(await httpRequest(flags, io)),
    );
  return cli.exitOverride().configureOutput({
    writeOut: (text) => io.stdout.write(text),
    writeErr: (text) => io.stderr.write(text),
  });
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  try {
    await program(io, (code) => (exitCode = code)).parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT_USAGE_OR_REFUSED;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`detach-key-pair: ${error.message}\nRun with --help for usage.\n`);
      return EXIT_USAGE_OR_REFUSED;
    }
    if (error instanceof RefusedError) {
      const reason = error.status === undefined ? error.code : `HTTP ${error.status} ${error.code}`;
      io.stderr.write(`detach-key-pair: the request was refused (${reason}): ${error.message}\n`);
      return EXIT_USAGE_OR_REFUSED;
    }
    throw error;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2), {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    readFile: (path) => readFileSync(path, 'utf8'),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `detach-key-pair: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
