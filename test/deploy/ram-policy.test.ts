import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { readJson, repoPath } from './support';

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

describe('ram/function-role-policy.json', () => {
  const policy = readJson<PolicyDocument>('ram', 'function-role-policy.json');

  it('allows exactly the ECS actions the code calls', () => {
    // Prepare
    const { actions, clientImports } = ecsActionsCalledByTheCode();

    // Act
    const allowed = policy.Statement.flatMap((statement) => asList(statement.Action));

    // Assess
    expect(clientImports).toEqual([]);
    expect(actions).not.toEqual([]);
    expect(allowed.sort()).toEqual(actions.map((action) => `ecs:${action}`));
  });

  it('only allows, on the resource types ECS documents for each action', () => {
    // Prepare
    const resourcesByAction = new Map<string, string[]>();

    // Act
    for (const statement of policy.Statement) {
      for (const action of asList(statement.Action)) {
        resourcesByAction.set(action, asList(statement.Resource).sort());
      }
    }

    // Assess
    expect(policy.Version).toBe('1');
    expect(policy.Statement.map((statement) => statement.Effect)).toEqual([
      'Allow',
      'Allow',
      'Allow',
    ]);
    expect(Object.fromEntries(resourcesByAction)).toEqual({
      'ecs:DescribeInstances': ['acs:ecs:*:*:instance/*'],
      'ecs:DescribeKeyPairs': ['acs:ecs:*:*:keypair/*'],
      'ecs:DetachKeyPair': ['acs:ecs:*:*:instance/*', 'acs:ecs:*:*:keypair/*'],
    });
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
