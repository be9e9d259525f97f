import { readConfig } from '../../functions/detach-key-pair/src/config';
import { ConfigurationError } from '../../functions/detach-key-pair/src/errors';
import { enforcePolicy, globToRegExp } from '../../functions/detach-key-pair/src/policy';

describe('readConfig', () => {
  it('has sane defaults', () => {
    // Act
    const config = readConfig({});
    // Assess
    expect(config).toStrictEqual({
      ecsEndpoint: undefined,
      allowedRegions: [],
      allowedKeyPairNames: [],
      maxInstances: 1000,
      ecsConcurrency: 8,
      logLevel: 'info',
      allowedModes: ['Detach', 'Online'],
    });
  });

  it('reads ALLOWED_MODES, so a deployer can allow Reboot', () => {
    // Act
    const config = readConfig({ ALLOWED_MODES: 'Detach, Reboot' });
    // Assess
    expect(config.allowedModes).toStrictEqual(['Detach', 'Reboot']);
  });

  it('reads comma lists, trimmed', () => {
    // Act
    const config = readConfig({
      ALLOWED_REGIONS: ' cn-hangzhou, ,cn-beijing ',
      ALLOWED_KEY_PAIR_NAMES: 'rotate-*',
    });
    // Assess
    expect(config.allowedRegions).toStrictEqual(['cn-hangzhou', 'cn-beijing']);
    expect(config.allowedKeyPairNames).toStrictEqual(['rotate-*']);
  });

  it.each([
    ['MAX_INSTANCES', '0'],
    ['MAX_INSTANCES', 'many'],
    ['ECS_CONCURRENCY', '1.5'],
    ['LOG_LEVEL', 'loud'],
    ['ALLOWED_MODES', 'Detach,reboot'],
  ])('refuses %s=%p', (name, value) => {
    // Act
    const act = () => readConfig({ [name]: value });
    // Assess
    expect(act).toThrow(ConfigurationError);
  });
});

describe('policy', () => {
  const request = {
    RegionId: 'cn-hangzhou',
    KeyPairName: 'rotate-2024.q1',
    InstanceIds: ['i-a'],
    DryRun: false,
    Mode: 'Detach' as const,
    ForceReboot: false,
  };

  it.each([
    ['rotate-*', 'rotate-2024.q1', true],
    ['rotate-????.q?', 'rotate-2024.q1', true],
    ['rotate-*', 'xrotate-1', false],
    ['a.b', 'axb', false],
  ])('matches the glob %p against %p: %p', (glob, name, expected) => {
    // Act
    const matches = globToRegExp(glob).test(name);
    // Assess
    expect(matches).toBe(expected);
  });

  it('allows everything when the lists are empty', () => {
    // Prepare
    const config = readConfig({});
    // Act
    const act = () => enforcePolicy(request, config);
    // Assess
    expect(act).not.toThrow();
  });

  it('names every broken rule at once', () => {
    // Prepare
    const config = readConfig({
      ALLOWED_REGIONS: 'cn-beijing',
      ALLOWED_KEY_PAIR_NAMES: 'legacy-*',
    });
    // Act
    const act = () => enforcePolicy(request, config);
    // Assess
    expect(act).toThrow(
      expect.objectContaining({
        problems: [
          { pointer: '/RegionId', detail: expect.stringContaining('ALLOWED_REGIONS') },
          { pointer: '/KeyPairName', detail: expect.stringContaining('ALLOWED_KEY_PAIR_NAMES') },
        ],
      }),
    );
  });

  it('refuses Reboot unless the deployer allowed it', () => {
    // Prepare
    const reboot = { ...request, Mode: 'Reboot' as const };
    const byDefault = readConfig({});
    const allowed = readConfig({ ALLOWED_MODES: 'Detach,Online,Reboot' });
    // Act
    const refused = () => enforcePolicy(reboot, byDefault);
    const accepted = () => enforcePolicy(reboot, allowed);
    // Assess
    expect(refused).toThrow(
      expect.objectContaining({
        problems: [{ pointer: '/Mode', detail: expect.stringContaining('ALLOWED_MODES') }],
      }),
    );
    expect(accepted).not.toThrow();
  });
});
