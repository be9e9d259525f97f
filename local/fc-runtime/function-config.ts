/**
 * What the local runtime learns from s.yaml (another engineer owns it): the fc3 resource's
 * function settings and its HTTP trigger. Values still holding `${...}` expressions are left
 * to the defaults, since only Serverless Devs can resolve them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type HttpAuthType = 'function' | 'anonymous' | 'jwt';

export interface HttpTriggerConfig {
  authType: HttpAuthType;
  methods: string[];
}

export interface DeployedFunctionConfig {
  functionName?: string;
  handler?: string;
  memorySize?: number;
  timeout?: number;
  region?: string;
  initializer?: string;
  httpTrigger?: HttpTriggerConfig;
}

/** FC's own default is stricter than anonymous: signed requests only, the methods the CLI uses. */
export const DEFAULT_HTTP_TRIGGER: HttpTriggerConfig = {
  authType: 'function',
  methods: ['GET', 'POST'],
};

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function literalString(value: unknown): string | undefined {
  return typeof value === 'string' && !value.includes('${') ? value : undefined;
}

function literalNumber(value: unknown): number | undefined {
  const number = typeof value === 'string' ? Number(literalString(value)) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

function httpTrigger(triggers: unknown): HttpTriggerConfig | undefined {
  if (!Array.isArray(triggers)) return undefined;
  const trigger = triggers.find((t): t is Node => isNode(t) && t.triggerType === 'http');
  const config = isNode(trigger?.triggerConfig) ? trigger.triggerConfig : undefined;
  if (!config) return undefined;
  const authType = literalString(config.authType);
  const methods = Array.isArray(config.methods)
    ? config.methods.flatMap((m) => literalString(m)?.toUpperCase() ?? [])
    : [];
  return {
    authType:
      authType === 'anonymous' || authType === 'jwt' ? authType : DEFAULT_HTTP_TRIGGER.authType,
    methods: methods.length > 0 ? methods : DEFAULT_HTTP_TRIGGER.methods,
  };
}

/** The first fc3 resource of an s.yaml; empty when the file is absent. */
export function readDeployedFunctionConfig(sYamlPath: string): DeployedFunctionConfig {
  if (!existsSync(sYamlPath)) return {};
  const document: unknown = parse(readFileSync(sYamlPath, 'utf8'));
  const resources = isNode(document) && isNode(document.resources) ? document.resources : {};
  const resource = Object.values(resources).find(
    (r): r is Node => isNode(r) && String(r.component).startsWith('fc3'),
  );
  const props = isNode(resource?.props) ? resource.props : {};
  const lifecycle = isNode(props.instanceLifecycleConfig) ? props.instanceLifecycleConfig : {};
  const initializer = isNode(lifecycle.initializer) ? lifecycle.initializer : {};
  return {
    functionName: literalString(props.functionName),
    handler: literalString(props.handler),
    memorySize: literalNumber(props.memorySize),
    timeout: literalNumber(props.timeout),
    region: literalString(props.region),
    initializer: literalString(initializer.handler),
    httpTrigger: httpTrigger(props.triggers),
  };
}
