/** Shared wiring for the end-to-end suites: the real CLI as a child process, the fc2 client. */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import FCClient from '@alicloud/fc2';
import type { EcsEmulator } from '../../local/ecs-emulator';
import { startFcRuntime, type FcRuntime } from '../../local/fc-runtime';
import { FUNCTION_ROLE_POLICY, REBOOT_ROLE_POLICY } from '../helpers/ram';

export const REPO_ROOT = resolve(__dirname, '../..');
export const BUNDLE_PATH = resolve(REPO_ROOT, 'dist/index.js');
export const FIXTURE_BUNDLE = resolve(__dirname, 'fixtures/fixture-handler.js');
const CLI_PATH = resolve(REPO_ROOT, 'dist-cli/detach-key-pair.cjs');

/** Builds the CLI the way `npm run cli` does, so the child process runs what users run. */
export async function buildCli(): Promise<void> {
  await promisify(execFile)(process.execPath, ['cli/build.mjs'], { cwd: REPO_ROOT });
}

export function requireBuiltBundle(): void {
  if (!existsSync(BUNDLE_PATH))
    throw new Error(`${BUNDLE_PATH} is missing: run npm run build first`);
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Async on purpose: the runtime under test shares this process's event loop. */
export function runProcess(
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<ProcessResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

export const runCli = (
  args: string[],
  env: Record<string, string | undefined>,
): Promise<ProcessResult> => runProcess(process.execPath, [CLI_PATH, ...args], env);

/** The environment a runbook would export to reach `runtime` through the FC API. */
export function cliEnv(runtime: FcRuntime): Record<string, string | undefined> {
  const caller = runtime.callerCredentials;
  return {
    ALIBABA_CLOUD_ACCESS_KEY_ID: caller.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: caller.accessKeySecret,
    ALIBABA_CLOUD_SECURITY_TOKEN: caller.securityToken,
    FC_ENDPOINT: runtime.url,
    FC_ACCOUNT_ID: runtime.accountId,
    FC_REGION: runtime.region,
  };
}

export function fc2Client(
  runtime: FcRuntime,
  secret = runtime.callerCredentials.accessKeySecret,
): FCClient {
  const caller = runtime.callerCredentials;
  return new FCClient(runtime.accountId, {
    accessKeyID: caller.accessKeyId,
    accessKeySecret: secret,
    securityToken: caller.securityToken,
    region: runtime.region,
    endpoint: runtime.url,
  });
}

export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The default deployment (Detach and Online) and one that allows Reboot, each with its role's
 * policy, both against `emulator`; a timeout left out is s.yaml's.
 */
export async function startRuntimesPerMode(
  emulator: EcsEmulator,
  timeoutSeconds: { online?: number; reboot?: number } = {},
): Promise<{ online: FcRuntime; reboot: FcRuntime }> {
  const env = { ECS_ENDPOINT: emulator.url, LOG_LEVEL: 'silent' };
  const online = await startFcRuntime({
    ecsEmulator: emulator,
    rolePolicy: FUNCTION_ROLE_POLICY,
    timeoutSeconds: timeoutSeconds.online,
    env,
  });
  const reboot = await startFcRuntime({
    ecsEmulator: emulator,
    rolePolicy: REBOOT_ROLE_POLICY,
    timeoutSeconds: timeoutSeconds.reboot,
    env: { ...env, ALLOWED_MODES: 'Reboot' },
  });
  return { online, reboot };
}
