import { eventBuffer, httpEventWithBody, loadEvent } from '../helpers/events';
import { fakeContext } from '../helpers/fc-context';
import { ecsError, FakeEcs, FAKE_PUBLIC_KEY } from '../helpers/fake-ecs';
import { handlerWithFake } from '../helpers/handler';

const IDS = ['i-bp1d6tsvznfghy7y0001', 'i-bp1d6tsvznfghy7y0002'];

function seeded() {
  const ecs = new FakeEcs('native');
  ecs.seed(IDS, { osType: 'linux', keyPairName: 'ops-key' });
  return ecs;
}

type Http = {
  statusCode: number;
  headers: Record<string, string>;
  isBase64Encoded: boolean;
  body: string;
};

describe('handler over HTTP', () => {
  it.each(['http/post-json.json', 'http/post-base64.json', 'http/post-json-charset.json'])(
    'detaches for %s and answers 200 with the result',
    async (name) => {
      // Prepare
      const { handler } = handlerWithFake({ ecs: seeded() });
      // Act
      const response = (await handler(eventBuffer(name), fakeContext())) as Http;
      // Assess
      expect(response).toMatchObject({
        statusCode: 200,
        isBase64Encoded: false,
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      expect(JSON.parse(response.body)).toMatchObject({
        TotalCount: 2,
        DetachedCount: 2,
        FailCount: 0,
        RequestId: 'c0ffee00-1111-2222-3333-444455556666',
      });
    },
  );

  it.each([
    ['http/get.json', 200, 'application/json; charset=utf-8'],
    ['http/put.json', 405, 'application/problem+json'],
    ['http/post-text-plain.json', 415, 'application/problem+json'],
    ['http/post-invalid-json.json', 400, 'application/problem+json'],
    ['http/post-invalid-request.json', 400, 'application/problem+json'],
  ])('answers %s with %p', async (name, statusCode, contentType) => {
    // Prepare
    const { handler } = handlerWithFake({ ecs: seeded() });
    // Act
    const response = (await handler(eventBuffer(name), fakeContext())) as Http;
    // Assess
    expect(response).toMatchObject({ statusCode, headers: { 'content-type': contentType } });
    expect(JSON.parse(response.body).requestId ?? JSON.parse(response.body).RequestId).toBe(
      'c0ffee00-1111-2222-3333-444455556666',
    );
  });

  it('lists every validation problem with a pointer', async () => {
    // Prepare
    const { handler } = handlerWithFake({ ecs: seeded() });
    // Act
    const response = (await handler(
      eventBuffer('http/post-invalid-request.json'),
      fakeContext(),
    )) as Http;
    // Assess
    expect(
      JSON.parse(response.body)
        .errors.map((e: { pointer: string }) => e.pointer)
        .sort(),
    ).toStrictEqual(['/DryRun', '/InstanceId', '/InstanceIds', '/KeyPairName', '/RegionId']);
  });

  it.each([
    ['ALLOWED_REGIONS', { ALLOWED_REGIONS: 'cn-beijing, cn-shanghai' }, '/RegionId'],
    ['ALLOWED_KEY_PAIR_NAMES', { ALLOWED_KEY_PAIR_NAMES: 'rotate-*,legacy-??' }, '/KeyPairName'],
  ])('refuses with 403 naming %s', async (rule, env, pointer) => {
    // Prepare
    const { handler, ecs } = handlerWithFake({ ecs: seeded(), env });
    // Act
    const response = (await handler(eventBuffer('http/post-json.json'), fakeContext())) as Http;
    // Assess
    const body = JSON.parse(response.body);
    expect(response.statusCode).toBe(403);
    expect(body.errors).toStrictEqual([{ pointer, detail: expect.stringContaining(rule) }]);
    expect(ecs.calls).toHaveLength(0);
  });

  it.each([
    ['RAM denial', ecsError('forbidden', 'Forbidden.RAM', { statusCode: 403 }), 403],
    ['throttling past the retries', ecsError('throttled', 'Throttling.User'), 429],
    ['ECS failing', ecsError('server', 'ServiceUnavailable', { statusCode: 503 }), 502],
  ])('maps %s to %p', async (_case, failure, statusCode) => {
    // Prepare
    const ecs = seeded();
    ecs.failWhen('DescribeInstances', () => failure);
    const { handler } = handlerWithFake({ ecs });
    // Act
    const response = (await handler(eventBuffer('http/post-json.json'), fakeContext())) as Http;
    // Assess
    expect(response.statusCode).toBe(statusCode);
    expect(JSON.parse(response.body)).toMatchObject({ code: failure.code });
  });

  it('maps a missing key pair to 404', async () => {
    // Prepare
    const ecs = seeded();
    ecs.keyPairs.clear();
    const { handler } = handlerWithFake({ ecs });
    // Act
    const response = (await handler(eventBuffer('http/post-json.json'), fakeContext())) as Http;
    // Assess
    expect(response.statusCode).toBe(404);
  });

  it('maps a deadline that left no time to 504', async () => {
    // Prepare
    const ecs = seeded();
    ecs.latencyMs = 2000;
    const { handler } = handlerWithFake({ ecs });
    // Act
    const response = (await handler(
      eventBuffer('http/post-json.json'),
      fakeContext({ timeoutSeconds: 2 }),
    )) as Http;
    // Assess
    expect(response.statusCode).toBe(504);
  });

  it('answers 500 without internals when the configuration is broken', async () => {
    // Prepare
    const { handler } = handlerWithFake({ ecs: seeded(), env: { MAX_INSTANCES: 'lots' } });
    // Act
    const response = (await handler(eventBuffer('http/post-json.json'), fakeContext())) as Http;
    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('lots');
  });

  it('never answers 5xx for hostile bodies', async () => {
    // Prepare
    const { handler } = handlerWithFake({ ecs: seeded() });
    const bodies = [
      '{"__proto__":{"polluted":1},"RegionId":"cn-hangzhou"}',
      `{"RegionId":${'['.repeat(30_000)}${']'.repeat(30_000)}}`,
      '{"InstanceIds":"' + 'i-bp1d6tsvznfghy7y0001,'.repeat(2000) + '"}',
      'null',
      '"just a string"',
      '[1,2,3]',
    ];
    // Act
    const responses = await Promise.all(
      bodies.map(
        (body) =>
          handler(
            { ...httpEventWithBody('http/post-json.json', null), body },
            fakeContext(),
          ) as Promise<Http>,
      ),
    );
    // Assess
    expect(responses.map((response) => response.statusCode)).toStrictEqual([
      400, 400, 400, 400, 400, 400,
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('handler for event callers', () => {
  it.each([
    'cloudevents/single.json',
    'cloudevents/data-string.json',
    'timer/timer.json',
    'direct/request.json',
    'direct/request-json-array-string.json',
  ])('returns the result object for %s', async (name) => {
    // Prepare
    const { handler } = handlerWithFake({ ecs: seeded() });
    // Act
    const answer = await handler(eventBuffer(name), fakeContext());
    // Assess
    expect(answer).toMatchObject({
      TotalCount: 2,
      DetachedCount: 2,
      Results: [{ Status: 'Detached' }, { Status: 'Detached' }],
    });
  });

  it('returns one result per CloudEvent in a batch', async () => {
    // Prepare
    const ecs = seeded();
    ecs.seed(['i-bp1d6tsvznfghy7y0003', 'i-bp1d6tsvznfghy7y0004'], {
      osType: 'linux',
      keyPairName: 'ops-key',
    });
    const { handler } = handlerWithFake({ ecs });
    // Act
    const answer = await handler(eventBuffer('cloudevents/batch.json'), fakeContext());
    // Assess
    expect(answer).toMatchObject([{ DetachedCount: 2 }, { DryRun: true, WouldDetachCount: 2 }]);
  });

  it.each([
    ['a misspelt request', 'direct/request-typo.json', 'InvalidParameter'],
    ['an unsupported event', 'direct/unsupported-oss.json', 'UnsupportedEvent'],
    ['a timer payload that is not JSON', 'timer/timer-not-json.json', 'MalformedPayload'],
  ])('returns an error object for %s instead of throwing', async (_case, name, Code) => {
    // Prepare
    const { handler } = handlerWithFake({ ecs: seeded() });
    // Act
    const answer = await handler(eventBuffer(name), fakeContext());
    // Assess
    expect(answer).toMatchObject({
      Code,
      Retryable: false,
      RequestId: 'c0ffee00-1111-2222-3333-444455556666',
    });
  });

  it('throws, so FC retries, when ECS throttled everything before anything changed', async () => {
    // Prepare
    const ecs = seeded();
    ecs.failWhen('DescribeInstances', () => ecsError('throttled', 'Throttling.User'));
    const { handler } = handlerWithFake({ ecs });
    // Act
    const act = handler(eventBuffer('cloudevents/single.json'), fakeContext());
    // Assess
    await expect(act).rejects.toMatchObject({ name: 'Throttling.User' });
    await expect(act).rejects.toHaveProperty('stack', expect.not.stringContaining(' at '));
  });

  it('throws for a batch in which any event failed retryably, so FC sends it again', async () => {
    // Prepare
    const ecs = seeded();
    const secondEvent = new Set(['i-bp1d6tsvznfghy7y0003', 'i-bp1d6tsvznfghy7y0004']);
    ecs.seed([...secondEvent], { osType: 'linux', keyPairName: 'ops-key' });
    ecs.failWhen('DescribeInstances', (ids) =>
      secondEvent.has(ids[0]) ? ecsError('throttled', 'Throttling.User') : undefined,
    );
    const { handler } = handlerWithFake({ ecs });
    // Act
    const act = handler(eventBuffer('cloudevents/batch.json'), fakeContext());
    // Assess
    await expect(act).rejects.toMatchObject({ name: 'Throttling.User' });
    expect(ecs.callsOf('DetachKeyPair')).toHaveLength(1);
  });

  it.each([
    ['no context', undefined],
    ['an empty context', {}],
    ['empty credentials', { credentials: {} }],
    ['fields of the wrong types', { requestId: 7, function: 'x', credentials: 'secret' }],
  ])('works with %s', async (_case, context) => {
    // Prepare
    const { handler, portRequests } = handlerWithFake({ ecs: seeded() });
    // Act
    const answer = await handler(loadEvent('direct/request.json'), context);
    // Assess
    expect(answer).toMatchObject({ RequestId: 'generated-request-id', DetachedCount: 2 });
    expect(portRequests[0][0]).toBeUndefined();
  });
});

describe('handler logs', () => {
  it('writes one JSON line per entry with the request fields and never a credential or the raw event', async () => {
    // Prepare
    const { handler, logs } = handlerWithFake({ ecs: seeded() });
    // Act
    await handler(eventBuffer('http/post-json.json'), fakeContext());
    await handler(eventBuffer('http/put.json'), fakeContext());
    // Assess
    const done = logs.entries().find((entry) => entry.message === 'request done');
    expect(done).toMatchObject({
      level: 'info',
      requestId: 'c0ffee00-1111-2222-3333-444455556666',
      functionName: 'detach-key-pair',
      region: 'cn-hangzhou',
      keyPairName: 'ops-key',
      counts: { total: 2, detached: 2 },
      durationMs: expect.any(Number),
      time: expect.any(String),
    });
    const all = logs.lines.join('\n');
    expect(all).not.toMatch(/fake-secret|fake-security-token|STS\.FakeAccessKeyId/);
    expect(all).not.toContain('requestContext');
  });

  it('records each instance of an Online request on its own line, the key by its fingerprint only', async () => {
    // Prepare
    const { handler, logs } = handlerWithFake({ ecs: seeded() });
    const request = {
      RegionId: 'cn-hangzhou',
      KeyPairName: 'ops-key',
      InstanceIds: IDS,
      Mode: 'Online',
    };
    // Act
    await handler(request, fakeContext());
    // Assess
    const lines = logs.entries().filter((entry) => entry.message === 'instance done');
    expect(lines.map((line) => line.instanceId)).toEqual(IDS);
    expect(lines[0]).toMatchObject({
      mode: 'Online',
      status: 'Detached',
      code: expect.any(String),
      keyRemoved: true,
      invokeId: expect.any(String),
      exitCode: 0,
      keyFingerprint: expect.stringMatching(/^SHA256:/),
      ecsRequestIds: [
        expect.stringMatching(/^REQ-RunCommand/),
        expect.stringMatching(/^REQ-Detach/),
      ],
    });
    expect(logs.lines.join('\n')).not.toContain(FAKE_PUBLIC_KEY.split(' ')[1]);
  });

  it('writes one line per request above debug: its outcome, with what was asked', async () => {
    // Prepare
    const { handler, logs } = handlerWithFake({ ecs: seeded() });

    // Act
    await handler(eventBuffer('http/post-json.json'), fakeContext());

    // Assess
    const aboveDebug = logs.entries().filter((entry) => entry.level !== 'debug');
    expect(aboveDebug).toEqual([
      expect.objectContaining({
        level: 'info',
        message: 'request done',
        region: 'cn-hangzhou',
        keyPairName: 'ops-key',
        instanceCount: 2,
        dryRun: false,
      }),
    ]);
    expect(logs.entries().map((entry) => entry.message)).toEqual([
      'request accepted',
      'request done',
    ]);
  });

  it('names the request in the line of a failure that came after it was read', async () => {
    // Prepare
    const ecs = seeded();
    ecs.failWhen('DescribeInstances', () =>
      ecsError('forbidden', 'Forbidden.RAM', { statusCode: 403, action: 'DescribeInstances' }),
    );
    const { handler, logs } = handlerWithFake({ ecs });

    // Act
    await handler(eventBuffer('http/post-json.json'), fakeContext());

    // Assess
    const aboveDebug = logs.entries().filter((entry) => entry.level !== 'debug');
    expect(aboveDebug).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: 'request refused',
        region: 'cn-hangzhou',
        keyPairName: 'ops-key',
        instanceCount: 2,
        error: expect.objectContaining({ code: 'Forbidden.RAM' }),
      }),
    ]);
  });
});
