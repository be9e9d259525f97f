import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { MODE_ACTIONS } from '../../functions/detach-key-pair/src/job/context';
import type { Mode } from '../../functions/detach-key-pair/src/request';
import { readJson, readYaml, repoPath } from './support';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Principal?: { Service: string[] };
}

interface PolicyDocument {
  Version: string;
  Statement: Statement[];
}

const FUNCTION_SOURCE = repoPath('functions/detach-key-pair/src');
const ECS_MODELS = repoPath('node_modules/@alicloud/ecs20140526/dist/models');
const ECS_CLIENT = '@alicloud/ecs20140526';

/** Every ECS API operation, named by the SDK's per-operation request models. */
const ECS_OPERATIONS = new Set(
  readdirSync(ECS_MODELS)
    .filter((file) => file.endsWith('Request.js'))
    .map((file) => file.slice(0, -'Request.js'.length)),
);

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** String literals and module specifiers of the function's code (comments excluded). */
function stringLiterals(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) found.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The ECS operations the code can call: an action name it spells out (callApi takes the action
 * as a string) or a request model module it imports. Importing the all-operations client would
 * make every operation callable, which the bundle budget and this test both refuse.
 */
function ecsActionsCalledByTheCode(): { actions: string[]; clientImports: string[] } {
  const literals = sourceFiles(FUNCTION_SOURCE).flatMap((file) =>
    stringLiterals(file).map((text) => ({ file, text })),
  );
  const modelPrefix = `${ECS_CLIENT}/dist/models/`;
  const actions = new Set<string>();
  for (const { text } of literals) {
    if (ECS_OPERATIONS.has(text)) actions.add(text);
    if (text.startsWith(modelPrefix) && text.endsWith('Request')) {
      actions.add(text.slice(modelPrefix.length, -'Request'.length));
    }
  }
  const clientImports = literals
    .filter(({ text }) => text === ECS_CLIENT || text === `${ECS_CLIENT}/dist/client`)
    .map(({ file }) => file);
  return { actions: [...actions].sort(), clientImports };
}

function asList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** The resource types ECS documents for each action (docs/ecs-facts.md, RAM). */
const RESOURCES: Record<string, string[]> = {
  'ecs:DescribeInstances': ['acs:ecs:*:*:instance/*'],
  'ecs:DescribeKeyPairs': ['acs:ecs:*:*:keypair/*'],
  'ecs:DetachKeyPair': ['acs:ecs:*:*:instance/*', 'acs:ecs:*:*:keypair/*'],
  'ecs:DescribeRegions': ['acs:ecs:*:*:*'],
  'ecs:DeleteKeyPairs': ['acs:ecs:*:*:keypair/*'],
  'ecs:DescribeCloudAssistantStatus': ['acs:ecs:*:*:instance/*'],
  'ecs:RunCommand': ['acs:ecs:*:*:command/*', 'acs:ecs:*:*:instance/*'],
  'ecs:DescribeInvocations': ['acs:ecs:*:*:invocation/*'],
  'ecs:RebootInstances': ['acs:ecs:*:*:instance/*'],
  'ecs:DescribeInstanceStatus': ['acs:ecs:*:*:instance/*'],
};

function allowedActions(policy: PolicyDocument): string[] {
  return policy.Statement.flatMap((statement) => asList(statement.Action)).sort();
}

function modeActions(...modes: Mode[]): string[] {
  return [...new Set(modes.flatMap((mode) => MODE_ACTIONS[mode]))]
    .map((action) => `ecs:${action}`)
    .sort();
}

const MODE_POLICIES: Array<[Mode, string]> = [
  ['Detach', 'detach.json'],
  ['Online', 'online.json'],
  ['Reboot', 'reboot.json'],
];

describe('ram/modes: one least-privilege policy per mode', () => {
  it('together allow exactly the ECS actions the code calls', () => {
    // Prepare
    const { actions, clientImports } = ecsActionsCalledByTheCode();

    // Act
    const allowed = new Set(
      MODE_POLICIES.flatMap(([, file]) => allowedActions(readJson('ram', 'modes', file))),
    );

    // Assess
    expect(clientImports).toEqual([]);
    expect(actions).not.toEqual([]);
    expect([...allowed].sort()).toEqual(actions.map((action) => `ecs:${action}`));
  });

  it.each(MODE_POLICIES)('%s: allows exactly the actions that mode calls', (mode, file) => {
    // Prepare
    const policy = readJson<PolicyDocument>('ram', 'modes', file);

    // Act
    const allowed = allowedActions(policy);

    // Assess
    expect(allowed).toEqual(modeActions(mode));
  });

  it.each(MODE_POLICIES)('%s: only allows, on the resource types ECS documents', (_mode, file) => {
    // Prepare
    const policy = readJson<PolicyDocument>('ram', 'modes', file);

    // Act
    const statements = policy.Statement.map((statement) => ({
      effect: statement.Effect,
      actions: asList(statement.Action),
      resources: asList(statement.Resource).sort(),
    }));

    // Assess
    expect(policy.Version).toBe('1');
    for (const { effect, actions, resources } of statements) {
      expect(effect).toBe('Allow');
      for (const action of actions) expect(resources).toEqual(RESOURCES[action]);
    }
  });
});

describe('ram/function-role-policy.json', () => {
  it("allows exactly what the modes s.yaml's ALLOWED_MODES default names call", () => {
    // Prepare
    const sYaml = readYaml<{
      resources: { 'detach-key-pair': { props: { environmentVariables: Record<string, string> } } };
    }>('s.yaml');
    const setting = sYaml.resources['detach-key-pair'].props.environmentVariables.ALLOWED_MODES;
    const defaults = /, '([^']*)'\)/.exec(setting)?.[1].split(',') as Mode[];

    // Act
    const allowed = allowedActions(readJson('ram', 'function-role-policy.json'));

    // Assess
    expect(defaults).toEqual(['Detach', 'Online']);
    expect(allowed).toEqual(modeActions(...defaults));
  });
});

describe('ram/trust-policy.json', () => {
  it('lets only Function Compute assume the role', () => {
    // Prepare
    const trust = readJson<PolicyDocument>('ram', 'trust-policy.json');

    // Act
    const [statement, ...others] = trust.Statement;

    // Assess
    expect(trust.Version).toBe('1');
    expect(others).toEqual([]);
    expect(statement).toEqual({
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { Service: ['fc.aliyuncs.com'] },
    });
  });
});
