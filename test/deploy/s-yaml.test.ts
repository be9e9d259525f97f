import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Ajv from 'ajv';
import { parseRequest } from '../../functions/detach-key-pair/src/request';
import { detectInvocation } from '../../functions/detach-key-pair/src/triggers';
import { DEFAULT_MAX_INSTANCES } from '../../functions/detach-key-pair/src/config';
import { readJson, repoPath, REPO_ROOT } from './support';

interface Trigger {
  triggerName: string;
  triggerType: string;
  triggerConfig: Record<string, unknown>;
}

interface FunctionProps extends Record<string, unknown> {
  environmentVariables: Record<string, string>;
  triggers: Trigger[];
}

interface RenderedProject {
  access: string;
  resources: Record<string, { component: string; actions: unknown; props: FunctionProps }>;
}

interface Fc3Schema {
  properties: Record<string, unknown>;
  definitions: Record<string, { properties?: Record<string, unknown> }>;
}

/** The fleet benchmark's peak RSS budget (BENCHMARKS.md), which the coming stages must keep. */
const PEAK_BUDGET_MB = 128;

const S_CLI = repoPath('node_modules/@serverless-devs/s/bin/s');
const NO_NETWORK = repoPath('test/deploy/fixtures/no-network.mjs');

/**
 * `s preview` renders s.yaml (variables, env()) without loading the fc3 component or credentials.
 * The CLI's background daemons (update check, telemetry) would reach the npm registry; it skips
 * them when NODE_ENV is "test", and the preloaded guard fails the test if anything else tries.
 */
async function preview(env: Record<string, string> = {}): Promise<RenderedProject> {
  const home = await mkdtemp(join(tmpdir(), 's-home-'));
  const networkLog = join(home, 'network.log');
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [S_CLI, 'preview', '-o', 'json'],
      {
        cwd: REPO_ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: home,
          NODE_ENV: 'test',
          NODE_OPTIONS: `--import ${NO_NETWORK}`,
          NO_NETWORK_LOG: networkLog,
          ...env,
        },
      },
    );
    const attempts = await readFile(networkLog, 'utf8').catch(() => '');
    expect(attempts).toBe('');
    // The CLI prints a warning line (e.g. about running as root) before the JSON document.
    return JSON.parse(stdout.slice(stdout.indexOf('\n{') + 1)) as RenderedProject;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

function onlyResource(project: RenderedProject) {
  const resources = Object.values(project.resources);
  expect(resources).toHaveLength(1);
  return resources[0];
}

function trigger(props: FunctionProps, type: string): Trigger {
  const found = props.triggers.filter((candidate) => candidate.triggerType === type);
  expect(found).toHaveLength(1);
  return found[0];
}

const schema = readJson<Fc3Schema>('schemas', 'fc3-props.schema.json');
const ajv = new Ajv({ allErrors: true, strict: false }).addSchema(schema, 'fc3');

function validateAgainst(ref: string, value: unknown) {
  const validate = ajv.getSchema(`fc3${ref}`);
  if (validate === undefined) throw new Error(`No ${ref} in the fc3 schema`);
  validate(value);
  return validate.errors ?? [];
}

// The schema's ITrigger accepts any of the trigger configs (one of them, IOtsConfig, is `{}`), so
// a trigger config is also checked against the definition its triggerType selects.
const TRIGGER_CONFIG_DEFINITION: Record<string, string> = {
  http: 'IHttpTriggerConfig',
  timer: 'ITimerTriggerConfig',
  eventbridge: 'IEventBridge',
};

/** The function's own reading of the (single) request an event carries. */
function requestOf(invocation: ReturnType<typeof detectInvocation>) {
  const [read] = 'payloads' in invocation ? invocation.payloads : [];
  return parseRequest(read && 'payload' in read ? read.payload : undefined, DEFAULT_MAX_INSTANCES);
}

describe('s.yaml', () => {
  let project: RenderedProject;

  beforeAll(async () => {
    project = await preview();
  }, 30_000);

  it('renders offline with `s preview`, without credentials or an account id', () => {
    // Prepare
    const { component, props } = onlyResource(project);

    // Act
    const rendered = JSON.stringify(project);

    // Assess
    expect(component).toBe('fc3');
    expect(props).toMatchObject({
      region: 'cn-hangzhou',
      runtime: 'nodejs20',
      code: './dist',
      handler: 'index.handler',
      instanceLifecycleConfig: { initializer: { handler: 'index.initialize' } },
    });
    // config('AccountID') is resolved only at deploy time, from the access alias.
    expect(props.role).toBe("acs:ram::${config('AccountID')}:role/detach-key-pair-fc");
    expect(rendered).not.toMatch(/\b\d{12,}\b|LTAI[0-9A-Za-z]{12,}/);
  });

  it('takes region, names and limits from the environment', async () => {
    // Prepare
    const env = { REGION: 'cn-shanghai', FUNCTION_ROLE_NAME: 'ops-detacher', MAX_INSTANCES: '50' };

    // Act
    const { props } = onlyResource(await preview(env));

    // Assess
    expect(props.region).toBe('cn-shanghai');
    expect(props.role).toBe("acs:ram::${config('AccountID')}:role/ops-detacher");
    expect(props.environmentVariables).toMatchObject({
      ALLOWED_REGIONS: 'cn-shanghai',
      MAX_INSTANCES: '50',
    });
  }, 30_000);

  it('runs the build before deploying and sets what the function reads', () => {
    // Prepare
    const { actions, props } = onlyResource(project);

    // Act
    const env = props.environmentVariables;

    // Assess
    expect(actions).toEqual({ 'pre-deploy': [{ run: 'npm ci && npm run build', path: './' }] });
    expect(Object.keys(env).sort()).toEqual(
      [
        'ALLOWED_KEY_PAIR_NAMES',
        'ALLOWED_MODES',
        'ALLOWED_REGIONS',
        'ECS_CONCURRENCY',
        'LOG_LEVEL',
        'MAX_INSTANCES',
      ].sort(),
    );
  });

  it("fits the fc3 component's own schema", () => {
    // Prepare
    const { props } = onlyResource(project);

    // Act
    const errors = validateAgainst('', props);

    // Assess
    expect(errors).toEqual([]);
  });

  it('uses only properties the fc3 schema declares (it does not forbid unknown ones itself)', () => {
    // Prepare
    const { props } = onlyResource(project);

    // Act
    const unknownProps = Object.keys(props).filter((key) => !(key in schema.properties));
    const unknownTriggerKeys = props.triggers.flatMap((candidate) => {
      const declared = schema.definitions[TRIGGER_CONFIG_DEFINITION[candidate.triggerType]];
      return Object.keys(candidate.triggerConfig)
        .filter((key) => !(key in (declared?.properties ?? {})))
        .map((key) => `${candidate.triggerName}.${key}`);
    });

    // Assess
    expect(unknownProps).toEqual([]);
    expect(unknownTriggerKeys).toEqual([]);
  });

  it.each(Object.entries(TRIGGER_CONFIG_DEFINITION))(
    'has a %s trigger whose config fits its own definition',
    (type, definition) => {
      // Prepare
      const { props } = onlyResource(project);

      // Act
      const errors = validateAgainst(
        `#/definitions/${definition}`,
        trigger(props, type).triggerConfig,
      );

      // Assess
      expect(errors).toEqual([]);
    },
  );

  it("sizes vCPU and memory by FC 3.0's rules, with twice the peak budget in memory", () => {
    // Prepare
    const { props } = onlyResource(project);
    const cpu = Number(props.cpu);
    const memoryMb = Number(props.memorySize);

    // Act
    const gbPerVcpu = memoryMb / 1024 / cpu;

    // Assess
    // CreateFunctionInput: cpu a multiple of 0.05, memory a multiple of 64 MB, 1 to 4 GB a vCPU.
    expect(Math.round(cpu * 100) % 5).toBe(0);
    expect(memoryMb % 64).toBe(0);
    expect(gbPerVcpu).toBeGreaterThanOrEqual(1);
    expect(gbPerVcpu).toBeLessThanOrEqual(4);
    expect(props.diskSize).toBe(512);
    expect(memoryMb).toBeGreaterThanOrEqual(2 * PEAK_BUDGET_MB);
  });

  it('serves only GET and POST over HTTP, behind signature authentication', () => {
    // Prepare
    const { props } = onlyResource(project);

    // Act
    const { triggerConfig } = trigger(props, 'http');

    // Assess
    expect(triggerConfig.authType).toBe('function');
    expect(triggerConfig.methods).toEqual(['GET', 'POST']);
  });

  it('ships the timer and EventBridge examples disabled', () => {
    // Prepare
    const { props } = onlyResource(project);

    // Act
    const timer = trigger(props, 'timer').triggerConfig;
    const eventBridge = trigger(props, 'eventbridge').triggerConfig;

    // Assess
    expect(timer.enable).toBe(false);
    expect(eventBridge.triggerEnable).toBe(false);
  });

  it("has a timer payload that the function's own trigger adapter reads as a valid request", () => {
    // Prepare
    const { triggerName, triggerConfig } = trigger(onlyResource(project).props, 'timer');
    const event = Buffer.from(
      JSON.stringify({
        triggerTime: '2026-05-28T19:00:00Z',
        triggerName,
        payload: triggerConfig.payload,
      }),
    );

    // Act
    const invocation = detectInvocation(event);

    // Assess
    expect(invocation).toMatchObject({
      source: 'timer',
      payloads: [{ payload: expect.anything() }],
    });
    const request = requestOf(invocation);
    expect(request).toMatchObject({ RegionId: 'cn-hangzhou', DryRun: true });
    expect(request.InstanceIds.length).toBeGreaterThan(0);
  });

  it("has an EventBridge source (MNS queue) whose message the function's own adapter reads", async () => {
    // Prepare
    const event = await readFile(repoPath('test/events/cloudevents/mns-queue.json'));
    const { eventSourceConfig } = trigger(onlyResource(project).props, 'eventbridge').triggerConfig;

    // Act
    const invocation = detectInvocation(event);

    // Assess
    expect(eventSourceConfig).toMatchObject({ eventSourceType: 'MNS' });
    expect(invocation).toMatchObject({
      source: 'cloudevent',
      payloads: [{ payload: expect.anything() }],
    });
    const request = requestOf(invocation);
    expect(request.InstanceIds.length).toBeGreaterThan(0);
  });
});
