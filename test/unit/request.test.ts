import { ValidationError } from '../../functions/detach-key-pair/src/errors';
import { jsonPointer, parseRequest } from '../../functions/detach-key-pair/src/request';

const ID_A = 'i-bp1d6tsvznfghy7y0001';
const ID_B = 'i-bp1d6tsvznfghy7y0002';
const valid = { RegionId: 'cn-hangzhou', KeyPairName: 'ops-key', InstanceIds: [ID_A, ID_B] };

function problemsOf(payload: unknown, maxInstances = 1000) {
  try {
    parseRequest(payload, maxInstances);
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parseRequest', () => {
  it('accepts a valid request and defaults DryRun to false and Mode to Detach', () => {
    // Prepare
    const payload = structuredClone(valid);
    // Act
    const request = parseRequest(payload, 1000);
    // Assess
    expect(request).toStrictEqual({
      ...valid,
      Regions: [valid.RegionId],
      DryRun: false,
      Mode: 'Detach',
      ForceReboot: false,
      DeleteKeyPair: false,
    });
  });

  it.each([
    ['a JSON array', [ID_A, ` ${ID_B} `, ID_A]],
    ['the API JSON-array string', JSON.stringify([ID_A, ID_B, ID_A])],
    ['a comma-separated string', ` ${ID_A}, ${ID_B},${ID_A} `],
  ])('accepts InstanceIds as %s, trimmed and de-duplicated in order', (_form, InstanceIds) => {
    // Prepare
    const payload = { ...valid, InstanceIds };
    // Act
    const request = parseRequest(payload, 1000);
    // Assess
    expect(request.InstanceIds).toStrictEqual([ID_A, ID_B]);
  });

  it.each([
    [true, true],
    ['true', true],
    [false, false],
    ['false', false],
  ])('reads DryRun %p as %p', (DryRun, expected) => {
    // Prepare
    const payload = { ...valid, DryRun };
    // Act
    const request = parseRequest(payload, 1000);
    // Assess
    expect(request.DryRun).toBe(expected);
  });

  it.each(['ops-key', 'Key:With_Colons-and.dots', '密钥-ops', 'ab'])(
    'accepts the key pair name %p',
    (KeyPairName) => {
      // Prepare
      const payload = { ...valid, KeyPairName };
      // Act
      const request = parseRequest(payload, 1000);
      // Assess
      expect(request.KeyPairName).toBe(KeyPairName);
    },
  );

  it.each([
    ['missing', undefined, 'is required'],
    ['a number', 7, 'must be a string'],
    ['too short', 'a', 'must be 2-128 characters'],
    ['starting with a digit', '9key', 'must be 2-128 characters'],
    ['a URL', 'https://evil', 'must not start with http://'],
    ['too long', `k${'x'.repeat(128)}`, 'must be 2-128 characters'],
    ['holding a space', 'my key', 'must be 2-128 characters'],
  ])('refuses a KeyPairName that is %s', (_case, KeyPairName, detail) => {
    // Prepare
    const payload = { ...valid, KeyPairName };
    // Act
    const problems = problemsOf(payload);
    // Assess
    expect(problems).toStrictEqual([
      { pointer: '/KeyPairName', detail: expect.stringContaining(detail) },
    ]);
  });

  it.each([
    ['missing', undefined, 'is required'],
    ['upper case', 'CN-HANGZHOU', 'must be a region id'],
    ['without a dash', 'hangzhou', 'must be a region id'],
    ['huge', `cn-${'a'.repeat(10_000)}`, 'must be a region id'],
  ])('refuses a RegionId that is %s', (_case, RegionId, detail) => {
    // Prepare
    const payload = { ...valid, RegionId };
    // Act
    const problems = problemsOf(payload);
    // Assess
    expect(problems).toStrictEqual([
      { pointer: '/RegionId', detail: expect.stringContaining(detail) },
    ]);
  });

  it.each([
    ['missing', undefined, '/InstanceIds', 'is required'],
    ['an empty array', [], '/InstanceIds', 'at least one instance'],
    ['an empty string', '  ', '/InstanceIds', 'not an instance id'],
    [
      'a broken JSON array string',
      '["i-bp1d6tsvznfghy7y0001"',
      '/InstanceIds',
      'not a valid JSON array',
    ],
    ['a number', 5, '/InstanceIds', 'must be a JSON array'],
    ['an object', { 0: ID_A }, '/InstanceIds', 'must be a JSON array'],
    [
      'an array holding a bad id',
      [ID_A, 'x-123'],
      '/InstanceIds/1',
      '"x-123" is not an instance id',
    ],
    ['an array holding a number', [ID_A, 42], '/InstanceIds/1', 'a non-string value'],
    ['a string holding a bad id', `${ID_A},nope`, '/InstanceIds', 'entry 1: "nope"'],
  ])('refuses InstanceIds that is %s', (_case, InstanceIds, pointer, detail) => {
    // Prepare
    const payload = { ...valid, InstanceIds };
    // Act
    const problems = problemsOf(payload);
    // Assess
    expect(problems).toContainEqual({ pointer, detail: expect.stringContaining(detail) });
  });

  it('refuses more distinct instances than MAX_INSTANCES, naming the rule', () => {
    // Prepare
    const payload = { ...valid, InstanceIds: [ID_A, ID_B, 'i-bp1d6tsvznfghy7y0003'] };
    // Act
    const problems = problemsOf(payload, 2);
    // Assess
    expect(problems).toStrictEqual([
      {
        pointer: '/InstanceIds',
        detail: expect.stringContaining('at most 2 are allowed (MAX_INSTANCES)'),
      },
    ]);
  });

  it('counts duplicates once against MAX_INSTANCES', () => {
    // Prepare
    const payload = { ...valid, InstanceIds: [ID_A, ID_B, ID_A, ID_B] };
    // Act
    const request = parseRequest(payload, 2);
    // Assess
    expect(request.InstanceIds).toStrictEqual([ID_A, ID_B]);
  });

  it('reports at most 20 bad ids one by one, then a summary', () => {
    // Prepare
    const payload = { ...valid, InstanceIds: Array.from({ length: 500 }, (_, i) => `bad-${i}`) };
    // Act
    const problems = problemsOf(payload);
    // Assess
    expect(problems).toHaveLength(21);
    expect(problems[20]).toStrictEqual({
      pointer: '/InstanceIds',
      detail: '480 more entries are not instance ids',
    });
  });

  it('refuses unknown fields, suggesting the field that was meant', () => {
    // Prepare
    const payload = {
      RegionId: 'cn-hangzhou',
      KeyPairName: 'ops-key',
      InstanceId: ID_A,
      Verbose: true,
    };
    // Act
    const problems = problemsOf(payload);
    // Assess
    expect(problems).toStrictEqual(
      expect.arrayContaining([
        { pointer: '/InstanceIds', detail: 'is required' },
        { pointer: '/InstanceId', detail: 'is not a known field; did you mean InstanceIds?' },
        {
          pointer: '/Verbose',
          detail: expect.stringContaining(
            'known fields are RegionId, KeyPairName, InstanceIds, DryRun, Mode',
          ),
        },
      ]),
    );
  });

  it('reports every problem at once', () => {
    // Prepare
    const payload = {
      RegionId: 'CN',
      KeyPairName: 1,
      InstanceIds: ['nope'],
      DryRun: 'maybe',
      extra: 1,
    };
    // Act
    const problems = problemsOf(payload);
    // Assess
    expect(problems.map((problem) => problem.pointer).sort()).toStrictEqual([
      '/DryRun',
      '/InstanceIds/0',
      '/KeyPairName',
      '/RegionId',
      '/extra',
    ]);
  });

  it('refuses a __proto__ key as an unknown field without polluting prototypes', () => {
    // Prepare
    const payload = JSON.parse(
      `{"RegionId":"cn-hangzhou","KeyPairName":"ops-key","InstanceIds":["${ID_A}"],"__proto__":{"polluted":true}}`,
    );
    // Act
    const problems = problemsOf(payload);
    // Assess
    expect(problems).toStrictEqual([
      { pointer: '/__proto__', detail: expect.stringContaining('not a known field') },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([null, [], 'text', 42])('refuses a payload that is not an object: %p', (payload) => {
    // Act
    const problems = problemsOf(payload);
    // Assess
    expect(problems).toStrictEqual([{ pointer: '', detail: 'The request must be a JSON object' }]);
  });

  it.each([
    ['Online', {}],
    ['Reboot', { MaxUnavailable: 5, ForceReboot: true }],
    ['Reboot', { MaxUnavailable: '7', ForceReboot: 'false' }],
  ])('accepts Mode %s with its own fields %p', (mode, fields) => {
    // Prepare
    const payload = { ...structuredClone(valid), Mode: mode, ...fields };
    // Act
    const request = parseRequest(payload, 1000);
    // Assess
    expect(request.Mode).toBe(mode);
    expect(request.MaxUnavailable).toBe(
      'MaxUnavailable' in fields ? Number(fields.MaxUnavailable) : undefined,
    );
  });

  it('refuses an unknown mode and every field of another mode, all at once', () => {
    // Prepare
    const unknownMode = { ...structuredClone(valid), Mode: 'Offline', MaxUnavailable: 0 };
    const wrongMode = {
      ...structuredClone(valid),
      Mode: 'Online',
      MaxUnavailable: 3,
      ForceReboot: true,
    };
    // Act
    const unknownModeProblems = problemsOf(unknownMode);
    const wrongModeProblems = problemsOf(wrongMode);
    // Assess
    expect(unknownModeProblems).toStrictEqual([
      { pointer: '/Mode', detail: 'must be one of Detach, Online, Reboot' },
      { pointer: '/MaxUnavailable', detail: 'must be an integer from 1 to 1000' },
    ]);
    expect(wrongModeProblems).toStrictEqual([
      {
        pointer: '/MaxUnavailable',
        detail: "belongs to Mode Reboot; this request's Mode is Online",
      },
      { pointer: '/ForceReboot', detail: "belongs to Mode Reboot; this request's Mode is Online" },
    ]);
  });

  describe('selecting by Target', () => {
    const holders = { RegionId: valid.RegionId, KeyPairName: valid.KeyPairName, Target: 'Holders' };

    it('accepts a Target instead of InstanceIds, with tags, a count and regions', () => {
      // Prepare
      const payload = {
        ...holders,
        RegionId: ['cn-hangzhou', 'cn-shanghai', 'cn-hangzhou'],
        Tags: [{ Key: 'env', Value: 'prod' }],
        ExpectedCount: '12',
        DeleteKeyPair: true,
      };
      // Act
      const request = parseRequest(payload, 1000);
      // Assess
      expect(request).toMatchObject({
        RegionId: 'cn-hangzhou,cn-shanghai',
        Regions: ['cn-hangzhou', 'cn-shanghai'],
        InstanceIds: [],
        Target: 'Holders',
        Tags: [{ Key: 'env', Value: 'prod' }],
        ExpectedCount: 12,
        DeleteKeyPair: true,
      });
    });

    it('takes "*" for every region that holds the key pair', () => {
      // Act
      const request = parseRequest({ ...holders, RegionId: '*' }, 1000);
      // Assess
      expect(request).toMatchObject({ RegionId: '*', Regions: '*' });
    });

    it('names a tag field it does not know without suggesting request fields', () => {
      // Prepare
      const payload = { ...holders, Tags: [{ Key: 'env', Value: 'prod', Owner: 'ops' }] };
      // Act
      const problems = problemsOf(payload);
      // Assess
      expect(problems).toEqual([
        { pointer: '/Tags/0/Owner', detail: 'is not a known field; a tag holds Key and Value' },
      ]);
    });

    it('refuses InstanceIds with a Target, AllInstances outside Online, bad tags, all at once', () => {
      // Prepare
      const payload = {
        ...valid,
        Target: 'AllInstances',
        Tags: [{ Key: '', Value: 'x' }, { Key: 'env' }],
        ExpectedCount: -1,
      };
      // Act
      const problems = problemsOf(payload);
      // Assess
      expect(problems.map((problem) => problem.pointer)).toEqual([
        '/Tags/0/Key',
        '/Tags/1/Value',
        '/ExpectedCount',
        '/InstanceIds',
        '/Target',
      ]);
    });

    it('refuses Target-only fields and several regions without a Target', () => {
      // Prepare
      const payload = {
        ...valid,
        RegionId: '*',
        Tags: [{ Key: 'env', Value: 'prod' }],
        ExpectedCount: 3,
      };
      // Act
      const problems = problemsOf(payload);
      // Assess
      expect(problems).toStrictEqual([
        { pointer: '/Tags', detail: 'needs Target (Holders or AllInstances)' },
        { pointer: '/ExpectedCount', detail: 'needs Target (Holders or AllInstances)' },
        {
          pointer: '/RegionId',
          detail: 'names one region when InstanceIds are given; several regions need Target',
        },
      ]);
    });

    it.each([
      [[], '/RegionId'],
      [['cn-hangzhou', 'CN'], '/RegionId/1'],
      ['**', '/RegionId'],
      [Array.from({ length: 21 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })), '/Tags'],
    ])('refuses %p at %s', (value, pointer) => {
      // Prepare
      const field = pointer.startsWith('/Tags') ? 'Tags' : 'RegionId';
      // Act
      const problems = problemsOf({ ...holders, [field]: value });
      // Assess
      expect(problems.map((problem) => problem.pointer)).toEqual([pointer]);
    });
  });

  it('escapes JSON Pointer tokens', () => {
    // Act
    const pointer = jsonPointer(['a/b', 'c~d', 0]);
    // Assess
    expect(pointer).toBe('/a~1b/c~0d/0');
  });
});
