/**
 * The local FC runtime on a fixture bundle: FC's invocation contract (event Buffer, context,
 * environment, error and timeout answers) and its gatekeeping (signatures checked before any
 * handler runs), driven by the unmodified @alicloud/fc2 client and raw signed HTTP requests.
 */
import { randomUUID } from 'node:crypto';
import { acsDate, signHeaders, signTriggerRequest } from '../../cli/acs3-sign';
import { send } from '../../cli/http-client';
import { startFcRuntime, type FcRuntime } from '../../local/fc-runtime';
import { FIXTURE_BUNDLE, fc2Client } from './helpers';

const TIMEOUT_SECONDS = 1;

async function invokeFixture(runtime: FcRuntime, event: unknown) {
  return fc2Client(runtime).invokeFunction(
    runtime.serviceName,
    runtime.functionName,
    JSON.stringify(event),
  );
}

async function postToTrigger(runtime: FcRuntime, body: unknown, headers: Record<string, string>) {
  const url = new URL(`${runtime.url}/detach?dry=1`);
  return send(url, 'POST', headers, Buffer.from(JSON.stringify(body)), 5000);
}

/** The headers of a trigger POST of `body`, signed with the runtime's caller credentials. */
function signedTriggerHeaders(runtime: FcRuntime, body: unknown): Record<string, string> {
  const url = new URL(`${runtime.url}/detach?dry=1`);
  const bytes = Buffer.from(JSON.stringify(body));
  return signTriggerRequest(url, 'POST', bytes, runtime.callerCredentials);
}

interface FcStyleSigning {
  secret?: string;
  signedAt?: Date;
  nonce?: string;
}

/**
 * The headers of a trigger POST of `body` signed as FC documents for HTTP triggers: only
 * `x-acs-date` and the STS token, unless a nonce is added.
 */
function fcStyleHeaders(
  runtime: FcRuntime,
  body: Buffer,
  { secret, signedAt = new Date(), nonce }: FcStyleSigning = {},
): Record<string, string> {
  const caller = runtime.callerCredentials;
  const signed = signHeaders(
    new URL(`${runtime.url}/detach?dry=1`),
    'POST',
    body,
    { ...caller, accessKeySecret: secret ?? caller.accessKeySecret },
    {
      'x-acs-date': acsDate(signedAt),
      'x-acs-security-token': caller.securityToken ?? '',
      ...(nonce !== undefined && { 'x-acs-signature-nonce': nonce }),
    },
  );
  return { ...signed, 'content-type': 'application/json' };
}

describe('local FC runtime (fixture bundle)', () => {
  let runtime: FcRuntime;

  beforeAll(async () => {
    runtime = await startFcRuntime({
      bundlePath: FIXTURE_BUNDLE,
      sYamlPath: null,
      handler: 'index.handler',
      initializer: 'index.initialize',
      timeoutSeconds: TIMEOUT_SECONDS,
      env: { ECS_ENDPOINT: 'http://127.0.0.1:9' },
      credentials: {
        accessKeyId: 'STS.role',
        accessKeySecret: 'role-secret',
        securityToken: 'role-token',
      },
    });
  });

  afterAll(async () => {
    await runtime.stop();
  });

  it('passes the event as a Buffer with FC context and only the function environment', async () => {
    // Prepare
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = 'caller-shell-key';

    // Act
    const reply = await invokeFixture(runtime, { hello: 'fc' });

    // Assess
    delete process.env.ALIBABA_CLOUD_ACCESS_KEY_ID;
    const seen = JSON.parse(String(reply.data));
    expect(reply.headers['x-fc-error-type']).toBeUndefined();
    expect(seen).toMatchObject({
      isBuffer: true,
      request: { hello: 'fc' },
      ecsEndpoint: 'http://127.0.0.1:9',
      callerKeyVisible: false,
      initializations: 1,
      context: {
        requestId: reply.headers['x-fc-request-id'],
        credentials: {
          accessKeyId: 'STS.role',
          accessKeySecret: 'role-secret',
          securityToken: 'role-token',
        },
        function: {
          name: 'detach-key-pair',
          handler: 'index.handler',
          memory: 512,
          timeout: TIMEOUT_SECONDS,
        },
        region: runtime.region,
        accountId: runtime.accountId,
      },
    });
  });

  it("answers a thrown error with FC's UnhandledInvocationError shape", async () => {
    // Prepare
    const event = { action: 'throw', message: 'boom' };

    // Act
    const reply = await invokeFixture(runtime, event);

    // Assess
    expect(reply.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect(reply.data).toMatchObject({ errorMessage: 'boom', errorType: 'TypeError' });
    expect((reply.data as { stackTrace: string[] }).stackTrace[0]).toBe('TypeError: boom');
  });

  it('times a slow handler out and discards its late result', async () => {
    // Prepare
    const before = runtime.invocations.length;

    // Act
    const reply = await invokeFixture(runtime, { action: 'sleep', ms: 5000 });

    // Assess
    expect(reply.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect(reply.data).toEqual({
      errorMessage: `Function time out after ${TIMEOUT_SECONDS} seconds`,
    });
    expect(runtime.invocations[before].outcome).toBe('UnhandledInvocationError');
    const next = await invokeFixture(runtime, { hello: 'again' });
    expect(JSON.parse(String(next.data))).toMatchObject({ request: { hello: 'again' } });
  });

  it('reports a handler that kills its process', async () => {
    // Prepare
    const event = { action: 'exit' };

    // Act
    const reply = await invokeFixture(runtime, event);

    // Assess
    expect(reply.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect(String((reply.data as { errorMessage: string }).errorMessage)).toMatch(
      /^Process exited unexpectedly before completing request/,
    );
  });

  it('answers an async invocation with 202 and runs it in the background', async () => {
    // Prepare
    const client = fc2Client(runtime);

    // Act
    const reply = await client.invokeFunction(
      runtime.serviceName,
      runtime.functionName,
      '{"action":"sleep","ms":100}',
      {
        'X-Fc-Invocation-Type': 'Async',
      },
    );

    // Assess
    expect(reply.data).toBe('');
    const record = runtime.invocations.find(
      (r) => r.requestId === reply.headers['x-fc-request-id'],
    );
    expect(record).toMatchObject({ async: true });
    expect(record?.outcome).toBeUndefined();
    await runtime.settled();
    expect(record?.outcome).toBe('result');
  });

  it('refuses an FC API call signed with the wrong secret before any handler runs', async () => {
    // Prepare
    const before = runtime.invocations.length;
    const client = fc2Client(runtime, 'not-the-secret');

    // Act
    const call = client.invokeFunction(runtime.serviceName, runtime.functionName, '{}');

    // Assess
    await expect(call).rejects.toMatchObject({
      name: 'FCSignatureNotMatchError',
      code: 'SignatureNotMatch',
    });
    expect(runtime.invocations).toHaveLength(before);
  });

  it('answers 404 for an unknown function', async () => {
    // Prepare
    const client = fc2Client(runtime);

    // Act
    const call = client.invokeFunction(runtime.serviceName, 'no-such-function', '{}');

    // Assess
    await expect(call).rejects.toMatchObject({ code: 'FunctionNotFound' });
  });

  describe('HTTP trigger with authType function', () => {
    it('builds the FC3 v1 event for a correctly signed request', async () => {
      // Prepare
      const body = { action: 'echo' };
      const headers = signedTriggerHeaders(runtime, body);

      // Act
      const reply = await postToTrigger(runtime, body, { ...headers, 'x-multi': 'a' });

      // Assess
      expect(reply.status).toBe(200);
      const { request } = JSON.parse(reply.body);
      expect(request).toMatchObject({
        version: 'v1',
        rawPath: '/detach',
        queryParameters: { dry: '1' },
        body: JSON.stringify(body),
        isBase64Encoded: false,
        requestContext: {
          accountId: runtime.accountId,
          requestId: reply.headers['x-fc-request-id'],
          http: { method: 'POST', path: '/detach', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
        },
      });
      expect(request.headers['x-multi']).toBe('a');
    });

    it('writes the handler statusCode, headers and body back', async () => {
      // Prepare
      const body = { action: 'respond' };
      const headers = signedTriggerHeaders(runtime, body);

      // Act
      const reply = await postToTrigger(runtime, body, headers);

      // Assess
      expect(reply).toMatchObject({ status: 201, body: 'made', headers: { 'x-fixture': 'yes' } });
    });

    it.each([
      ['unsigned', (): Record<string, string> => ({ 'content-type': 'application/json' })],
      [
        'signed with the wrong secret',
        (): Record<string, string> =>
          signTriggerRequest(new URL(`${runtime.url}/detach?dry=1`), 'POST', Buffer.from('{}'), {
            ...runtime.callerCredentials,
            accessKeySecret: 'wrong',
          }),
      ],
      [
        'signed over a different body',
        (): Record<string, string> =>
          signTriggerRequest(
            new URL(`${runtime.url}/detach?dry=1`),
            'POST',
            Buffer.from('{"other":1}'),
            runtime.callerCredentials,
          ),
      ],
    ])('refuses a request %s with 403 before the handler runs', async (_, headersFor) => {
      // Prepare
      const before = runtime.invocations.length;

      // Act
      const reply = await postToTrigger(runtime, {}, headersFor());

      // Assess
      expect(reply.status).toBe(403);
      expect(runtime.invocations).toHaveLength(before);
    });

    it('refuses a replayed nonce', async () => {
      // Prepare
      const url = new URL(`${runtime.url}/detach?dry=1`);
      const headers = signTriggerRequest(url, 'POST', Buffer.from('{}'), runtime.callerCredentials);
      await postToTrigger(runtime, {}, headers);

      // Act
      const replay = await postToTrigger(runtime, {}, headers);

      // Assess
      expect(replay.status).toBe(403);
      expect(JSON.parse(replay.body)).toMatchObject({ ErrorCode: 'SignatureNonceUsed' });
    });

    it('refuses a method the trigger does not allow', async () => {
      // Prepare
      const url = new URL(`${runtime.url}/detach`);
      const headers = signTriggerRequest(url, 'DELETE', Buffer.alloc(0), runtime.callerCredentials);

      // Act
      const reply = await send(url, 'DELETE', headers, Buffer.alloc(0), 5000);

      // Assess
      expect(reply.status).toBe(405);
    });

    it('names the methods it does allow in the Allow header of a 405', async () => {
      // Prepare
      const url = new URL(`${runtime.url}/detach`);
      const headers = signTriggerRequest(url, 'PUT', Buffer.alloc(0), runtime.callerCredentials);

      // Act
      const reply = await send(url, 'PUT', headers, Buffer.alloc(0), 5000);

      // Assess
      expect(reply.status).toBe(405);
      expect(reply.headers.allow).toBe(runtime.httpTrigger.methods.join(', '));
    });
  });

  describe('HTTP trigger signed only over what FC documents (x-acs-date, the STS token)', () => {
    it('runs the handler', async () => {
      // Prepare
      const body = { action: 'echo' };
      const headers = fcStyleHeaders(runtime, Buffer.from(JSON.stringify(body)));

      // Act
      const reply = await postToTrigger(runtime, body, headers);

      // Assess
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body)).toMatchObject({ request: { body: JSON.stringify(body) } });
    });

    it('still refuses a replay when the request carries a signed nonce', async () => {
      // Prepare
      const headers = fcStyleHeaders(runtime, Buffer.from('{}'), { nonce: randomUUID() });
      const first = await postToTrigger(runtime, {}, headers);
      const before = runtime.invocations.length;

      // Act
      const replay = await postToTrigger(runtime, {}, headers);

      // Assess
      expect(first.status).toBe(200);
      expect(replay.status).toBe(403);
      expect(JSON.parse(replay.body)).toMatchObject({ ErrorCode: 'SignatureNonceUsed' });
      expect(runtime.invocations).toHaveLength(before);
    });

    it.each([
      ['signed with the wrong secret', { secret: 'wrong' }, '{}', 'SignatureNotMatch'],
      ['signed over a different body', {}, '{"other":1}', 'SignatureNotMatch'],
      [
        'dated 20 minutes ago',
        { signedAt: new Date(Date.now() - 20 * 60 * 1000) },
        '{}',
        'RequestTimeTooSkewed',
      ],
    ])('refuses a request %s', async (_, signing, signedBody, code) => {
      // Prepare
      const headers = fcStyleHeaders(runtime, Buffer.from(signedBody), signing);
      const before = runtime.invocations.length;

      // Act
      const reply = await postToTrigger(runtime, {}, headers);

      // Assess
      expect(reply.status).toBe(403);
      expect(JSON.parse(reply.body)).toMatchObject({ ErrorCode: code });
      expect(runtime.invocations).toHaveLength(before);
    });
  });

  it('serves anonymous requests only when the trigger says anonymous', async () => {
    // Prepare
    const anonymous = await startFcRuntime({
      bundlePath: FIXTURE_BUNDLE,
      sYamlPath: null,
      httpTrigger: { authType: 'anonymous' },
    });

    // Act
    const reply = await postToTrigger(
      anonymous,
      { action: 'respond' },
      { 'content-type': 'application/json' },
    );
    await anonymous.stop();

    // Assess
    expect(reply.status).toBe(201);
  });

  it('serves the FC 3.0 InvokeFunction path with an ACS3 signature', async () => {
    // Prepare
    const url = new URL(`${runtime.url}/2023-03-30/functions/${runtime.functionName}/invocations`);
    const body = Buffer.from('{"hello":"fc3"}');
    const headers = signTriggerRequest(url, 'POST', body, runtime.callerCredentials);

    // Act
    const reply = await send(url, 'POST', headers, body, 5000);

    // Assess
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ isBuffer: true, request: { hello: 'fc3' } });
  });

  it('holds the FC 3.0 API to the SDK signature, nonce and body hash included', async () => {
    // Prepare
    const url = new URL(`${runtime.url}/2023-03-30/functions/${runtime.functionName}/invocations`);
    const body = Buffer.from('{"hello":"fc3"}');
    const headers = signHeaders(url, 'POST', body, runtime.callerCredentials, {
      'x-acs-date': acsDate(new Date()),
      'x-acs-security-token': runtime.callerCredentials.securityToken ?? '',
    });

    // Act
    const reply = await send(url, 'POST', headers, body, 5000);

    // Assess
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body)).toMatchObject({ ErrorCode: 'SignatureNotMatch' });
  });
});
