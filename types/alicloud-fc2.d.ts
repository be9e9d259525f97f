/**
 * The part of @alicloud/fc2 2.6.6 this repo uses (the package ships no types). Shapes follow
 * its lib/client.js: `request()` resolves `{headers, data}` for 2xx and throws otherwise, with
 * `name` `FC<ErrorCode>Error` and `code` the API's ErrorCode.
 */
declare module '@alicloud/fc2' {
  import type { IncomingHttpHeaders } from 'node:http';

  interface FCClientConfig {
    accessKeyID: string;
    accessKeySecret: string;
    /** Required when accessKeyID starts with `STS`. */
    securityToken?: string;
    region: string;
    secure?: boolean;
    internal?: boolean;
    /** Overrides `${protocol}://${accountid}.${region}.fc.aliyuncs.com`. */
    endpoint?: string;
    /** Milliseconds; 60000 by default. */
    timeout?: number;
    headers?: Record<string, string>;
  }

  interface FCResponse<T = unknown> {
    headers: IncomingHttpHeaders;
    /** Text (or a Buffer with `rawBuf`), parsed when the response is application/json. */
    data: T;
  }

  interface InvokeOptions {
    rawBuf?: boolean;
  }

  class FCClient {
    constructor(accountId: string, config: FCClientConfig);
    invokeFunction(
      serviceName: string,
      functionName: string,
      event: string | Buffer,
      headers?: Record<string, string>,
      qualifier?: string,
      opts?: InvokeOptions,
    ): Promise<FCResponse>;
    static getSignature(
      accessKeyID: string,
      accessKeySecret: string,
      method: string,
      path: string,
      headers: Record<string, string>,
      queries?: Record<string, string | string[]> | null,
    ): string;
  }

  export = FCClient;
}
