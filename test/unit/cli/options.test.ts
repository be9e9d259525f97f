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

describe('resolveRunPlan: selecting by target', () => {
  const selecting = (extra: Partial<CliFlags>) => flags({ instances: undefined, ...extra });

  it('sends one selection with its tags, regions, expected count and key pair deletion', () => {
    // Act
    const plan = resolveRunPlan(
      selecting({
        region: undefined,
        target: 'holders',
        tag: ['env=prod', 'team=a=b'],
        regions: 'cn-hangzhou,cn-shanghai',
        expectedCount: '0',
        deleteKeyPair: true,
      }),
      ENV,
      noFile,
    );
    // Assess
    expect(plan.request).toEqual({
      RegionId: ['cn-hangzhou', 'cn-shanghai'],
      KeyPairName: 'leaked-key',
      DryRun: false,
      Mode: 'Detach',
      Target: 'Holders',
      Tags: [
        { Key: 'env', Value: 'prod' },
        { Key: 'team', Value: 'a=b' },
      ],
      ExpectedCount: 0,
      DeleteKeyPair: true,
    });
    expect(plan.instanceIds).toEqual([]);
  });

  it('asks every region that has the key for --regions all, and AllInstances for --target all', () => {
    // Act
    const plan = resolveRunPlan(
      selecting({ region: undefined, target: 'all', mode: 'Online', regions: 'all' }),
      ENV,
      noFile,
    );
    // Assess
    expect(plan.request).toMatchObject({ RegionId: '*', Target: 'AllInstances' });
  });

  it.each<[Partial<CliFlags>, string]>([
    [{ target: 'every' }, '--target must be holders or all'],
    [{ target: 'holders', instances: 'i-bp1example0000000001' }, 'not both'],
    [{ target: 'holders', regions: 'cn-shanghai' }, 'give --region or --regions'],
    [{ target: 'holders', tag: ['env'] }, '--tag must be key=value'],
    [{ target: 'holders', expectedCount: '-1' }, '--expected-count must be a whole number'],
    [{ tag: ['env=prod'] }, 'go with --target'],
  ])('refuses %p before sending anything', (extra, message) => {
    // Act
    const act = () => resolveRunPlan(selecting(extra), ENV, noFile);
    // Assess
    expect(act).toThrow(message);
  });
});
