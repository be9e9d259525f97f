/**
 * Test helpers: the unmodified ECS SDK pointed at an emulator over loopback HTTP, and a raw ACS3
 * request (signed with the SDK's own signing code) for the malformed requests no SDK would send.
 */
import Ecs from '@alicloud/ecs20140526';
import { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import { Request as DaraRequest, RuntimeOptions } from '@darabonba/typescript';
import { createHash } from 'node:crypto';
import { stringify } from 'node:querystring';
import { send } from '../../cli/http-client';
import { rpcParams } from '../../functions/detach-key-pair/src/ecs/sdk-adapter';
import type { EcsEmulator, IssuedCredentials } from '../../local/ecs-emulator';

export const REGION = 'cn-hangzhou';

export function ecsClient(
  emu: EcsEmulator,
  credentials: IssuedCredentials,
  config: Partial<$OpenApiUtil.Config> = {},
): Ecs {
  return new Ecs(
    new $OpenApiUtil.Config({
      accessKeyId: credentials.accessKeyId,
      accessKeySecret: credentials.accessKeySecret,
      securityToken: credentials.securityToken,
      endpoint: emu.endpoint,
      protocol: 'http',
      regionId: REGION,
      ...config,
    }),
  );
}

/**
 * An RPC call as the SDK's own action methods make it, with any query: callApi answers the body
 * as parsed JSON, before the SDK casts it to its models' types.
 */
export function callAction(
  client: Ecs,
  action: string,
  query: Record<string, string>,
  runtime: Partial<RuntimeOptions> = {},
): Promise<Record<string, unknown>> {
  return client.callApi(
    rpcParams(action),
    new $OpenApiUtil.OpenApiRequest({ query }),
    new RuntimeOptions(runtime),
  ) as Promise<Record<string, unknown>>;
}

/** The rejection of `promise`, for asserting on its code, status and data. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

export interface RawResponse {
  status: number;
  body: Record<string, unknown>;
}

export interface RawAcs3Request {
  action: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}

/**
 * Signs a DescribeRegions request as the SDK's doRequest does, lets `tamper` change it after
 * signing, and sends it.
 */
export async function sendRawAcs3(
  emu: EcsEmulator,
  credentials: IssuedCredentials,
  tamper: (request: RawAcs3Request) => void = () => undefined,
): Promise<RawResponse> {
  const request = new DaraRequest();
  request.method = 'POST';
  request.pathname = '/';
  request.query = { RegionId: REGION };
  request.headers = {
    host: emu.endpoint,
    'x-acs-version': '2014-05-26',
    'x-acs-action': 'DescribeRegions',
    'x-acs-date': OpenApiUtil.getTimestamp(),
    'x-acs-signature-nonce': OpenApiUtil.getNonce(),
    'x-acs-content-sha256': createHash('sha256').update('').digest('hex'),
    accept: 'application/json',
    ...(credentials.securityToken && {
      'x-acs-accesskey-id': credentials.accessKeyId,
      'x-acs-security-token': credentials.securityToken,
    }),
  };
  request.headers.Authorization = OpenApiUtil.getAuthorization(
    request,
    'ACS3-HMAC-SHA256',
    request.headers['x-acs-content-sha256'],
    credentials.accessKeyId,
    credentials.accessKeySecret,
  );
  const raw: RawAcs3Request = {
    action: 'DescribeRegions',
    query: request.query,
    headers: request.headers,
  };
  tamper(raw);
  const reply = await send(
    new URL(`${emu.url}/?${stringify(raw.query)}`),
    'POST',
    raw.headers,
    Buffer.alloc(0),
    10_000,
  );
  return { status: reply.status, body: JSON.parse(reply.body) as Record<string, unknown> };
}
