/**
 * `npm start`: the ECS emulator with the demo fleet and the local FC runtime in front of the
 * built bundle, then a banner with the URL, the locally generated demo credentials (printed on
 * purpose: they open nothing but these two loopback servers) and examples ready to paste.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  seedDemoFleet,
  startEcsEmulator,
  type DemoFleet,
  type EcsEmulator,
  type RamPolicy,
} from './ecs-emulator';
import { startFcRuntime, type FcRuntime } from './fc-runtime';

const ROLE_POLICY_PATH = resolve(__dirname, '../ram/function-role-policy.json');

export interface LocalStack {
  emulator: EcsEmulator;
  runtime: FcRuntime;
  fleet: DemoFleet;
  banner: string;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  /** The runtime's port; 0 picks a free one. */
  port?: number;
  logLevel?: string;
}

const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

function banner(runtime: FcRuntime, emulator: EcsEmulator, fleet: DemoFleet): string {
  const caller = runtime.callerCredentials;
  const environment: [string, string | undefined][] = [
    ['ALIBABA_CLOUD_ACCESS_KEY_ID', caller.accessKeyId],
    ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', caller.accessKeySecret],
    ['ALIBABA_CLOUD_SECURITY_TOKEN', caller.securityToken],
    ['FC_ENDPOINT', runtime.url],
    ['FC_ACCOUNT_ID', runtime.accountId],
    ['FC_REGION', runtime.region],
    ['FC_SERVICE_NAME', runtime.serviceName],
    ['FC_FUNCTION_NAME', runtime.functionName],
  ];
  const everyone = [
    ...fleet.holdingDemoKey,
    ...fleet.holdingOtherKey,
    ...fleet.withoutKey,
    ...fleet.windows,
  ];
  const triggerUrl = `${runtime.url}/`;
  const request = {
    RegionId: fleet.regionId,
    KeyPairName: fleet.keyPairName,
    InstanceIds: fleet.holdingDemoKey.slice(0, 2),
    DryRun: true,
  };
  return [
    '',
    `detach-key-pair is running locally (function ${runtime.functionName}, bundle dist/index.js)`,
    `  FC runtime:   ${runtime.url}  (HTTP trigger: authType ${runtime.httpTrigger.authType}, ${runtime.httpTrigger.methods.join('/')}; FC API: /2016-08-15/..., /2023-03-30/...)`,
    `  ECS emulator: ${emulator.url}  (region ${fleet.regionId}: ${fleet.holdingDemoKey.length} instances hold ${fleet.keyPairName}, ${fleet.holdingOtherKey.length} hold ${fleet.otherKeyPairName}, ${fleet.withoutKey.length} hold none, ${fleet.windows.length} Windows; ${fleet.secondRegion.regionId}: ${fleet.secondRegion.holdingDemoKey.length} hold ${fleet.keyPairName}; ${fleet.thirdRegion.regionId}: ${fleet.thirdRegion.withoutKey.length} hold none)`,
    '',
    'Demo credentials, generated for this run (paste into another terminal):',
    ...environment
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `export ${name}=${quote(value ?? '')}`),
    '',
    'Dry run over the whole demo fleet, through the FC API (@alicloud/fc2):',
    `npm run cli -- --region ${fleet.regionId} --key-pair ${fleet.keyPairName} --instances ${everyone.join(',')} --dry-run`,
    '',
    `Every instance holding ${fleet.keyPairName} and tagged env=prod, in every region that has the key (a dry run):`,
    `npm run cli -- --key-pair ${fleet.keyPairName} --target holders --regions all --tag env=prod --dry-run`,
    '',
    `Detach ${fleet.keyPairName} from three instances, through the signed HTTP trigger:`,
    `npm run cli -- --url ${triggerUrl} --region ${fleet.regionId} --key-pair ${fleet.keyPairName} --instances ${fleet.holdingDemoKey.slice(0, 3).join(',')}`,
    '',
    'One raw ACS3-signed HTTP request:',
    `npm run cli -- http-request --url ${triggerUrl} --data ${quote(JSON.stringify(request))}`,
    '',
    `Guests: each Linux instance's file system is a directory tree under ${emulator.state.guestsDir()}`,
    `(removed on Ctrl-C). Root's authorized_keys of ${fleet.holdingDemoKey[0]}, which holds ${fleet.keyPairName}:`,
    `cat ${quote(`${emulator.state.guestRoot(fleet.holdingDemoKey[0])}/root/.ssh/authorized_keys`)}`,
    'A detach leaves its line there; only a restart of the instance takes it out.',
    '',
    'Ctrl-C stops both servers.',
    '',
  ].join('\n');
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const emulator = await startEcsEmulator();
  const fleet = seedDemoFleet(emulator.state);
  const runtime = await startFcRuntime({
    ecsEmulator: emulator,
    ...(existsSync(ROLE_POLICY_PATH) && {
      rolePolicy: JSON.parse(readFileSync(ROLE_POLICY_PATH, 'utf8')) as RamPolicy,
    }),
    env: {
      ECS_ENDPOINT: emulator.url,
      LOG_LEVEL: options.logLevel ?? 'info',
      // The demo fleet's three regions, so a selection over every region shows all of them.
      ALLOWED_REGIONS: [
        fleet.regionId,
        fleet.secondRegion.regionId,
        fleet.thirdRegion.regionId,
      ].join(','),
      ALLOWED_KEY_PAIR_NAMES: '*',
    },
    port: options.port ?? 0,
  });
  return {
    emulator,
    runtime,
    fleet,
    banner: banner(runtime, emulator, fleet),
    stop: async () => {
      await runtime.stop();
      await emulator.stop();
    },
  };
}

if (require.main === module) {
  startLocalStack({ port: Number(process.env.PORT ?? 0) }).then(
    (stack) => {
      process.stdout.write(stack.banner);
      const shutdown = (): void => {
        process.stdout.write('\nStopping...\n');
        stack.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    },
    (error: unknown) => {
      process.stderr.write(
        `npm start failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
