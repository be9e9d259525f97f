/**
 * `npm run emulator`: the ECS emulator standalone, serving the demo fleet, printing its endpoint
 * and the credentials it generated (the one place a secret is printed, on purpose).
 * Port from ECS_EMULATOR_PORT (default 0: any free one), seed from ECS_EMULATOR_SEED.
 */
import { seedDemoFleet, startEcsEmulator } from '.';

async function main(): Promise<void> {
  const emu = await startEcsEmulator({
    port: Number(process.env.ECS_EMULATOR_PORT ?? 0),
    seed: Number(process.env.ECS_EMULATOR_SEED ?? 1),
  });
  const fleet = seedDemoFleet(emu.state);
  const credentials = emu.issueCredentials();
  console.log(
    [
      `ECS emulator listening on ${emu.url}`,
      `Demo fleet in ${fleet.regionId}: ${fleet.holdingDemoKey.length} Linux instances hold ` +
        `'${fleet.keyPairName}', ${fleet.holdingOtherKey.length} hold '${fleet.otherKeyPairName}', ` +
        `${fleet.withoutKey.length} hold none, ${fleet.windows.length} Windows.`,
      '',
      `export ECS_ENDPOINT=${emu.url}`,
      `export ALIBABA_CLOUD_ACCESS_KEY_ID=${credentials.accessKeyId}`,
      `export ALIBABA_CLOUD_ACCESS_KEY_SECRET=${credentials.accessKeySecret}`,
      '',
      `Instances holding '${fleet.keyPairName}': ${JSON.stringify(fleet.holdingDemoKey)}`,
      `Guest file systems (made when first used, removed on stop): ${emu.state.guestsDir()}`,
      'Ctrl-C to stop.',
    ].join('\n'),
  );
  const shutdown = (): void => {
    emu.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error('ecs-emulator failed to start:', error);
  process.exit(1);
});
