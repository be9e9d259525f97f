/**
 * RAM policy evaluation, the part of it an ECS caller meets: statements with Effect, Action and
 * Resource (strings or lists, `*` and `?` wildcards). An explicit Deny wins; otherwise every
 * resource a call touches must be allowed for its action.
 */
export interface RamStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
}

export interface RamPolicy {
  Version: string;
  Statement: RamStatement[];
}

interface CompiledStatement {
  allow: boolean;
  actions: RegExp[];
  resources: RegExp[];
}

export type CompiledPolicy = CompiledStatement[];

function globToRegExp(glob: string, flags: string): RegExp {
  const body = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, flags);
}

function asList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** Compiles once at issue time so evaluation per request is only regex tests. */
export function compilePolicy(policy: RamPolicy): CompiledPolicy {
  if (!Array.isArray(policy?.Statement)) throw new TypeError('RAM policy needs a Statement list');
  return policy.Statement.map((statement) => {
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
      throw new TypeError(`RAM statement Effect must be Allow or Deny, got ${statement.Effect}`);
    }
    return {
      allow: statement.Effect === 'Allow',
      // Action names are case-insensitive in RAM; resource names are not.
      actions: asList(statement.Action).map((a) => globToRegExp(a, 'i')),
      resources: asList(statement.Resource).map((r) => globToRegExp(r, '')),
    };
  });
}

function matches(statement: CompiledStatement, action: string, resource: string): boolean {
  return (
    statement.actions.some((a) => a.test(action)) &&
    statement.resources.some((r) => r.test(resource))
  );
}

/** True when `action` (e.g. `ecs:DetachKeyPair`) is allowed on every one of `resources`. */
export function isAllowed(policy: CompiledPolicy, action: string, resources: string[]): boolean {
  return resources.every((resource) => {
    const applicable = policy.filter((s) => matches(s, action, resource));
    return applicable.some((s) => s.allow) && !applicable.some((s) => !s.allow);
  });
}

export function instanceArn(regionId: string, accountId: string, instanceId: string): string {
  return `acs:ecs:${regionId}:${accountId}:instance/${instanceId}`;
}

export function keyPairArn(regionId: string, accountId: string, keyPairName: string): string {
  return `acs:ecs:${regionId}:${accountId}:keypair/${keyPairName}`;
}

export function commandArn(regionId: string, accountId: string, commandId: string): string {
  return `acs:ecs:${regionId}:${accountId}:command/${commandId}`;
}

export function invocationArn(regionId: string, accountId: string, invokeId: string): string {
  return `acs:ecs:${regionId}:${accountId}:invocation/${invokeId}`;
}
