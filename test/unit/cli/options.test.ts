import { UsageError } from '../../../cli/errors';
import { resolveRunPlan, type CliFlags } from '../../../cli/options';

const ENV = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'test-id',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'test-secret',
  FC_HTTP_TRIGGER_URL: 'http://127.0.0.1:9000/',
};

function flags(extra: Partial<CliFlags>): CliFlags {
  return {
    region: 'cn-hangzhou',
    keyPair: 'leaked-key',
    instances: 'i-bp1example0000000001,i-bp1example0000000002',
    chunkSize: '500',
    concurrency: '4',
    timeout: '900',
    ...extra,
  };
}

const noFile = () => {
  throw new Error('no file');
};

describe('resolveRunPlan: modes', () => {
  it('sends Mode Online as asked, keeping the concurrency', () => {
    // Act
    const plan = resolveRunPlan(flags({ mode: 'Online' }), ENV, noFile);
    // Assess
    expect(plan.request).toEqual({
      RegionId: 'cn-hangzhou',
      KeyPairName: 'leaked-key',
      DryRun: false,
      Mode: 'Online',
    });
    expect(plan.concurrency).toBe(4);
  });

  it('runs Reboot invocations one at a time so MaxUnavailable holds fleet-wide', () => {
    // Act
    const plan = resolveRunPlan(
      flags({ mode: 'Reboot', maxUnavailable: '5', forceReboot: true }),
      ENV,
      noFile,
    );
    // Assess
    expect(plan.request).toMatchObject({ Mode: 'Reboot', MaxUnavailable: 5, ForceReboot: true });
    expect(plan.concurrency).toBe(1);
  });

  it.each<Partial<CliFlags>>([
    { mode: 'reboot' },
    { mode: 'Online', maxUnavailable: '5' },
    { mode: 'Detach', forceReboot: true },
    { mode: 'Reboot', maxUnavailable: '0' },
  ])('refuses %p before sending anything', (extra) => {
    // Act
    const act = () => resolveRunPlan(flags(extra), ENV, noFile);
    // Assess
    expect(act).toThrow(UsageError);
  });
});
