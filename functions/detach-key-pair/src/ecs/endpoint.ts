import { ConfigurationError } from '../errors';

export interface EcsEndpoint {
  /** `host` or `host:port`, as the SDK signs it. */
  host: string;
  protocol: 'HTTP' | 'HTTPS';
}

/**
 * Regions whose ECS endpoint does not follow `ecs.<region>.aliyuncs.com`: a copy of the endpoint
 * table of the `@alicloud/ecs20140526` client, whose client.js (every ECS operation, about 3 MiB)
 * is too heavy for a cold start to load just for this table (BENCHMARKS.md, the naive bundle).
 * test/unit/ecs-endpoint.test.ts compares it with the installed SDK's, entry by entry.
 */
export const SDK_ENDPOINT_MAP: Readonly<Record<string, string>> = {
  'cn-hangzhou': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-shanghai-finance-1': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-shenzhen-finance-1': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-north-2-gov-1': 'ecs.aliyuncs.com',
  'ap-northeast-2-pop': 'ecs.aliyuncs.com',
  'cn-beijing-finance-pop': 'ecs.aliyuncs.com',
  'cn-beijing-gov-1': 'ecs.aliyuncs.com',
  'cn-beijing-nu16-b01': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-edge-1': 'ecs.cn-qingdao-nebula.aliyuncs.com',
  'cn-fujian': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-haidian-cm12-c01': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-hangzhou-bj-b01': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-hangzhou-finance': 'ecs.aliyuncs.com',
  'cn-hangzhou-internal-prod-1': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-hangzhou-internal-test-1': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-hangzhou-internal-test-2': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-hangzhou-internal-test-3': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-hangzhou-test-306': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-hongkong-finance-pop': 'ecs.aliyuncs.com',
  'cn-huhehaote-nebula-1': 'ecs.cn-qingdao-nebula.aliyuncs.com',
  'cn-shanghai-et15-b01': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-shanghai-et2-b01': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-shanghai-inner': 'ecs.aliyuncs.com',
  'cn-shanghai-internal-test-1': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-shenzhen-inner': 'ecs.aliyuncs.com',
  'cn-shenzhen-st4-d01': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-shenzhen-su18-b01': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-wuhan': 'ecs.aliyuncs.com',
  'cn-yushanfang': 'ecs.aliyuncs.com',
  'cn-zhangbei': 'ecs.aliyuncs.com',
  'cn-zhangbei-na61-b01': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-zhangjiakou-na62-a01': 'ecs.cn-zhangjiakou.aliyuncs.com',
  'cn-zhengzhou-nebula-1': 'ecs.cn-qingdao-nebula.aliyuncs.com',
  'eu-west-1-oxs': 'ecs.cn-shenzhen-cloudstone.aliyuncs.com',
  'rus-west-1-pop': 'ecs.aliyuncs.com',
};

function parseOverride(override: string): EcsEndpoint {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(override)) return { host: override, protocol: 'HTTPS' };
  let url: URL;
  try {
    url = new URL(override);
  } catch (error) {
    throw new ConfigurationError('ECS_ENDPOINT is not a valid URL.', { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigurationError('ECS_ENDPOINT must use http or https.');
  }
  return { host: url.host, protocol: url.protocol === 'http:' ? 'HTTP' : 'HTTPS' };
}

/** `ECS_ENDPOINT` when set (`host:port` means https; a URL keeps its scheme), else the SDK's rule. */
export function resolveEndpoint(regionId: string, override: string | undefined): EcsEndpoint {
  if (override !== undefined) return parseOverride(override);
  return {
    host: Object.hasOwn(SDK_ENDPOINT_MAP, regionId)
      ? SDK_ENDPOINT_MAP[regionId]
      : `ecs.${regionId}.aliyuncs.com`,
    protocol: 'HTTPS',
  };
}
