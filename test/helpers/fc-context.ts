import type { AccessCredentials } from '../../functions/detach-key-pair/src/ecs/port';

/** A context shaped like FC 3.0's (docs/fc-facts.md), frozen so the code under test cannot mutate it. */
export function fakeContext(
  options: { requestId?: string; timeoutSeconds?: number; credentials?: AccessCredentials } = {},
) {
  return Object.freeze({
    requestId: options.requestId ?? 'c0ffee00-1111-2222-3333-444455556666',
    credentials: options.credentials ?? {
      accessKeyId: 'STS.FakeAccessKeyId',
      accessKeySecret: 'fake-secret-never-logged',
      securityToken: 'fake-security-token-never-logged',
    },
    function: {
      name: 'detach-key-pair',
      handler: 'index.handler',
      memory: 512,
      timeout: options.timeoutSeconds ?? 60,
    },
    service: { logProject: 'p', logStore: 's', qualifier: 'LATEST' },
    region: 'cn-hangzhou',
    accountId: '1234567890123456',
    retryCount: 0,
  });
}
