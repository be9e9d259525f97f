import { parseRequest } from '../../functions/detach-key-pair/src/request';
import { DEFAULT_MAX_INSTANCES } from '../../functions/detach-key-pair/src/config';
import { readYaml } from './support';

type ParameterType = 'String' | 'Number' | 'Boolean' | 'List' | 'Json';

interface OosTemplate {
  FormatVersion: string;
  Parameters: Record<string, { Type: ParameterType; Default?: unknown }>;
  Tasks: {
    Name: string;
    Action: string;
    Properties: {
      Service: string;
      API: string;
      Method: string;
      URI: string;
      Headers: Record<string, string>;
      Parameters: Record<string, string>;
      Body: { 'Fn::Jq': [string, string, Record<string, string>] };
    };
    Outputs: Record<string, { Type: string; ValueSelector: string }>;
  }[];
  Outputs: Record<string, { Type: string; Value: string }>;
}

const WHOLE_PLACEHOLDER = /^\{\{\s*(\w+)\s*\}\}$/;

/**
 * What OOS sends as the body: a value that is exactly one `{{ Parameter }}` becomes that
 * parameter's value with its type kept, and `Fn::Jq [First, tojson, input]` is JSON.stringify.
 */
function renderBody(template: OosTemplate, values: Record<string, unknown>): string {
  const [mode, filter, input] = template.Tasks[0].Properties.Body['Fn::Jq'];
  expect([mode, filter]).toEqual(['First', 'tojson']);
  const rendered = Object.fromEntries(
    Object.entries(input).map(([key, value]) => {
      const name = WHOLE_PLACEHOLDER.exec(value)?.[1];
      if (name === undefined || !(name in template.Parameters)) {
        throw new Error(`Body.${key} is not a whole {{ Parameter }}: ${value}`);
      }
      return [key, values[name] ?? template.Parameters[name].Default];
    }),
  );
  return JSON.stringify(rendered);
}

describe('oos/detach-key-pair.yaml', () => {
  const template = readYaml<OosTemplate>('oos', 'detach-key-pair.yaml');

  it('is an OOS template with the request parameters, typed as the request needs', () => {
    // Prepare
    const { Parameters } = template;

    // Act
    const types = Object.fromEntries(Object.entries(Parameters).map(([k, v]) => [k, v.Type]));

    // Assess
    expect(template.FormatVersion).toBe('OOS-2019-06-01');
    expect(types).toMatchObject({
      RegionId: 'String',
      KeyPairName: 'String',
      InstanceIds: 'List',
      DryRun: 'Boolean',
      Mode: 'String',
      FunctionName: 'String',
    });
    expect(Parameters.DryRun.Default).toBe(true);
  });

  it("invokes the function synchronously through FC 3.0's InvokeFunction", () => {
    // Prepare
    const [task, ...others] = template.Tasks;

    // Act
    const { Properties } = task;

    // Assess
    expect(others).toEqual([]);
    expect(task.Action).toBe('ACS::ExecuteAPI');
    expect(Properties).toMatchObject({
      Service: 'FC',
      API: 'InvokeFunction',
      Method: 'POST',
      URI: '/2023-03-30/functions/{{ FunctionName }}/invocations',
      Headers: { 'X-Fc-Invocation-Type': 'Sync' },
    });
  });

  it('sends a body that is a valid request', () => {
    // Prepare
    const values = {
      RegionId: 'cn-hangzhou',
      KeyPairName: 'leaked-key',
      InstanceIds: ['i-bp1example0000000001', 'i-bp1example0000000002'],
    };

    // Act
    const request = parseRequest(JSON.parse(renderBody(template, values)), DEFAULT_MAX_INSTANCES);

    // Assess
    expect(request).toEqual({
      ...values,
      Regions: [values.RegionId],
      DryRun: true,
      Mode: 'Detach',
      ForceReboot: false,
      DeleteKeyPair: false,
    });
  });

  it("returns the function's result as the template's output", () => {
    // Prepare
    const [task] = template.Tasks;

    // Act
    const [[name, output]] = Object.entries(template.Outputs);

    // Assess
    expect(task.Outputs[name]).toEqual({ Type: 'String', ValueSelector: '.data' });
    expect(output.Value).toBe(`{{ ${task.Name}.${name} }}`);
  });
});
