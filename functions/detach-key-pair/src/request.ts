// zod/mini rather than classic zod: a tenth of the size and load time, which a cold start pays.
import * as z from 'zod/mini';
import { DESCRIBE_INSTANCES_MAX_TAGS, type InstanceTag } from './ecs/port';
import { ValidationError, type FieldProblem } from './errors';
import { isRecord } from './values';

/**
 * How far the function goes: Detach changes ECS's record only (the guest accepts the key until it
 * restarts); Online first removes the key from every guest through Cloud Assistant; Reboot
 * detaches, then restarts the instances in waves.
 */
export const MODES = ['Detach', 'Online', 'Reboot'] as const;
export type Mode = (typeof MODES)[number];

/**
 * What the function acts on when no ids are given: every instance ECS says holds the key pair, or
 * (Online only) every Linux instance, since a guest may accept a key ECS no longer records.
 */
export const TARGETS = ['Holders', 'AllInstances'] as const;
export type Target = (typeof TARGETS)[number];

/** `"*"`: every region in which the key pair exists. */
export const ALL_REGIONS = '*';

/** A request that passed validation: ids trimmed, de-duplicated, in the order first given. */
export interface DetachRequest {
  /** The region the job works in; for a request over several, as the caller wrote it. */
  RegionId: string;
  /** The regions asked for, de-duplicated, or `"*"`; absent means RegionId alone. */
  Regions?: string[] | typeof ALL_REGIONS;
  KeyPairName: string;
  /** The ids given; with a Target, the ids selected in the job's region. */
  InstanceIds: string[];
  Target?: Target;
  /** With a Target: only instances carrying every one of these tags; absent means none. */
  Tags?: InstanceTag[];
  /** With a Target: how many instances the caller expects the selection to hold. */
  ExpectedCount?: number;
  /** Delete the key pair from each region once no instance there holds it; absent means not. */
  DeleteKeyPair?: boolean;
  DryRun: boolean;
  Mode: Mode;
  /** Reboot only: instances restarting at once; absent means 10 % of them, at least 1. */
  MaxUnavailable?: number;
  /** Reboot only: restart without waiting for a clean shutdown. */
  ForceReboot: boolean;
}

export const REQUEST_FIELDS = [
  'RegionId',
  'KeyPairName',
  'InstanceIds',
  'DryRun',
  'Mode',
  'MaxUnavailable',
  'ForceReboot',
  'Target',
  'Tags',
  'ExpectedCount',
  'DeleteKeyPair',
] as const;

/** Fields that narrow or check a selection, so mean nothing without a Target. */
const TARGET_ONLY_FIELDS = ['Tags', 'ExpectedCount'] as const;

/** Fields that mean something in one mode only. */
const MODE_ONLY_FIELDS: ReadonlyArray<{ field: (typeof REQUEST_FIELDS)[number]; mode: Mode }> = [
  { field: 'MaxUnavailable', mode: 'Reboot' },
  { field: 'ForceReboot', mode: 'Reboot' },
];

// Formats from docs/ecs-facts.md (Names and ids): the region format is a heuristic (ECS decides existence), the key
// pair name follows ImportKeyPair (looser than CreateKeyPair), the instance id is lenient.
const REGION_ID = /^[a-z]{2,3}(-[a-z0-9]+)+$/;
const KEY_PAIR_NAME = /^\p{L}[\p{L}\p{N}:_.-]{1,127}$/u;
const INSTANCE_ID = /^i-[a-z0-9]{8,32}$/;
const MAX_REGION_ID_LENGTH = 64;
const MAX_INSTANCE_ID_LENGTH = 34;
/** Past this many bad ids, one summary line says how many more; a response stays small. */
const MAX_REPORTED_ID_PROBLEMS = 20;

/** The function's instance id rule, for callers that check ids before sending them (the ops CLI). */
export function isInstanceId(id: string): boolean {
  return id.length <= MAX_INSTANCE_ID_LENGTH && INSTANCE_ID.test(id);
}

function requiredString(kind: string) {
  return z.string({
    error: (issue) => (issue.input === undefined ? 'is required' : `must be a string (${kind})`),
  });
}

function isRegionId(value: string): boolean {
  return value.length <= MAX_REGION_ID_LENGTH && REGION_ID.test(value);
}

/** More regions than any cloud has: a longer list is a mistake, not a scope. */
const MAX_REGIONS = 64;
const REGION_FORMS = `must be a region id such as cn-hangzhou, a list of them, or "${ALL_REGIONS}"`;

/** A region, a list of regions, or `"*"`. */
const regionId = z.pipe(
  z.unknown(),
  z.transform((value, ctx): { text: string; regions: DetachRequest['Regions'] } => {
    const report = (message: string, path: (string | number)[] = []) => {
      ctx.issues.push({ code: 'custom', message, input: value, path });
      return z.NEVER;
    };
    if (value === undefined) return report('is required');
    if (value === ALL_REGIONS) return { text: ALL_REGIONS, regions: ALL_REGIONS };
    if (typeof value === 'string') {
      return isRegionId(value)
        ? { text: value, regions: [value] }
        : report('must be a region id such as cn-hangzhou');
    }
    if (!Array.isArray(value) || value.length === 0 || value.length > MAX_REGIONS) {
      return report(`${REGION_FORMS} (1 to ${MAX_REGIONS})`);
    }
    const bad = value.findIndex((entry) => typeof entry !== 'string' || !isRegionId(entry));
    if (bad >= 0) return report('must be a region id such as cn-hangzhou', [bad]);
    const regions = [...new Set(value as string[])];
    return { text: regions.join(','), regions };
  }),
);

/**
 * An optional field whose schema is built the first time a request carries the field: most
 * requests never do, and building a schema is work at every cold start (BENCHMARKS.md).
 */
function builtWhenGiven<T>(build: () => z.ZodMiniType<T>) {
  let schema: z.ZodMiniType<T> | undefined;
  return z.optional(
    z.pipe(
      z.unknown(),
      z.transform((value, ctx): T => {
        schema ??= build();
        const result = z.safeParse(schema, value);
        if (result.success) return result.data;
        // Finalized issues hold all a raw one does but `input`, which nothing here reads.
        ctx.issues.push(...(result.error.issues as z.core.$ZodRawIssue[]));
        return z.NEVER;
      }),
    ),
  );
}

const target = z.optional(z.enum(TARGETS, { error: `must be one of ${TARGETS.join(', ')}` }));

/** ECS's limit on DescribeInstances' Tag.N, and on a tag's key and value (CreateTags). */
const MAX_TAG_LENGTH = 128;
const tagPart = (name: string, min: number) =>
  z
    .string({ error: `must be a string (the tag's ${name})` })
    .check(
      z.minLength(min, { error: `must be 1-${MAX_TAG_LENGTH} characters` }),
      z.maxLength(MAX_TAG_LENGTH, { error: `must be at most ${MAX_TAG_LENGTH} characters` }),
    );

const tagList = () =>
  z
    .array(
      z.strictObject(
        { Key: tagPart('key', 1), Value: tagPart('value', 0) },
        { error: 'must be an object {Key, Value}' },
      ),
      { error: 'must be a list of {Key, Value} objects' },
    )
    .check(
      z.minLength(1, { error: `must hold 1 to ${DESCRIBE_INSTANCES_MAX_TAGS} tags` }),
      z.maxLength(DESCRIBE_INSTANCES_MAX_TAGS, {
        error: `must hold 1 to ${DESCRIBE_INSTANCES_MAX_TAGS} tags`,
      }),
    );

const tags = builtWhenGiven(tagList);

const keyPairName = requiredString('a key pair name').check(
  z.superRefine((value, ctx) => {
    if (/^https?:\/\//i.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'must not start with http:// or https://' });
    } else if (!KEY_PAIR_NAME.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message:
          'must be 2-128 characters, start with a letter, and hold only letters, digits, ":", "_", "." and "-"',
      });
    }
  }),
);

/**
 * One transform rather than a union of zod's own types: each schema zod builds is work at every
 * cold start (BENCHMARKS.md), and these few lines say the same.
 */
function lenientField<T>(accept: (value: unknown) => T | undefined, error: string) {
  return z.pipe(
    z.unknown(),
    z.transform((value, ctx): T => {
      const accepted = accept(value);
      if (accepted !== undefined) return accepted;
      ctx.issues.push({ code: 'custom', message: error, input: value });
      return z.NEVER;
    }),
  );
}

// The ECS API takes a boolean; "true"/"false" strings come from templates that substitute text.
const flag = z._default(
  lenientField((value) => {
    if (typeof value === 'boolean') return value;
    return value === 'true' || value === 'false' ? value === 'true' : undefined;
  }, 'must be a boolean'),
  false,
);

const mode = z._default(z.enum(MODES, { error: `must be one of ${MODES.join(', ')}` }), 'Detach');

/** At most this many instances restart at once; ECS's RebootInstances takes 100 a call. */
export const MAX_UNAVAILABLE_LIMIT = 1000;

/** An integer within [min, max], or its digits as a string from a template. */
function boundedInteger(min: number, max: number) {
  return z.optional(
    lenientField((value) => {
      const number = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;
      const isInteger = typeof number === 'number' && Number.isSafeInteger(number);
      return isInteger && number >= min && number <= max ? number : undefined;
    }, `must be an integer from ${min} to ${max}`),
  );
}

const maxUnavailable = boundedInteger(1, MAX_UNAVAILABLE_LIMIT);

type IssueSink = (message: string, path?: (string | number)[]) => void;

/** The three accepted forms, as a list of raw entries; undefined once a problem is reported. */
function instanceIdEntries(value: unknown, maxChars: number, report: IssueSink) {
  if (typeof value === 'string') {
    if (value.length > maxChars) {
      report(`is longer than ${maxChars} characters`);
      return undefined;
    }
    const trimmed = value.trim();
    if (!trimmed.startsWith('[')) return { entries: trimmed.split(','), inString: true };
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      report('starts with "[" but is not a valid JSON array');
      return undefined;
    }
    if (!Array.isArray(parsed)) {
      report('must be a JSON array of instance ids');
      return undefined;
    }
    return { entries: parsed as unknown[], inString: true };
  }
  if (Array.isArray(value)) return { entries: value as unknown[], inString: false };
  report('must be a JSON array of instance ids, a string holding one, or a comma-separated string');
  return undefined;
}

function instanceIdsSchema(maxInstances: number) {
  const maxChars = maxInstances * (MAX_INSTANCE_ID_LENGTH + 8);
  return z.pipe(
    z.unknown(),
    z.transform((value, ctx) => {
      const report: IssueSink = (message, path = []) =>
        ctx.issues.push({ code: 'custom', message, input: value, path });
      const parsed = instanceIdEntries(value, maxChars, report);
      if (parsed === undefined) return z.NEVER;

      const distinct = new Set<string>();
      let problems = 0;
      parsed.entries.forEach((entry, index) => {
        const id = typeof entry === 'string' ? entry.trim() : undefined;
        if (id !== undefined && id.length <= MAX_INSTANCE_ID_LENGTH && INSTANCE_ID.test(id)) {
          distinct.add(id);
          return;
        }
        problems += 1;
        if (problems > MAX_REPORTED_ID_PROBLEMS) return;
        // Entries inside a string have no pointer of their own; name their position instead.
        const shown = id === undefined ? 'a non-string value' : JSON.stringify(id.slice(0, 40));
        const detail = `${shown} is not an instance id such as i-bp1d6tsvznfghy7y1234`;
        if (parsed.inString) report(`entry ${index}: ${detail}`);
        else report(detail, [index]);
      });
      if (problems > MAX_REPORTED_ID_PROBLEMS) {
        report(`${problems - MAX_REPORTED_ID_PROBLEMS} more entries are not instance ids`);
      }
      if (problems > 0) return z.NEVER;
      if (distinct.size === 0) report('must name at least one instance');
      if (distinct.size > maxInstances) {
        report(
          `names ${distinct.size} instances; at most ${maxInstances} are allowed (MAX_INSTANCES)`,
        );
      }
      return distinct.size === 0 || distinct.size > maxInstances ? z.NEVER : [...distinct];
    }),
  );
}

function buildRequestSchema(maxInstances: number) {
  return z.strictObject(
    {
      RegionId: regionId,
      KeyPairName: keyPairName,
      InstanceIds: z.optional(instanceIdsSchema(maxInstances)),
      DryRun: flag,
      Mode: mode,
      MaxUnavailable: maxUnavailable,
      ForceReboot: flag,
      Target: target,
      Tags: tags,
      ExpectedCount: boundedInteger(0, maxInstances),
      DeleteKeyPair: flag,
    },
    { error: 'The request must be a JSON object' },
  );
}

/**
 * Built once per MAX_INSTANCES rather than per request: building it runs more code than checking
 * a request against it. MAX_INSTANCES stays the same for the life of a function instance.
 */
let requestSchema:
  { maxInstances: number; schema: ReturnType<typeof buildRequestSchema> } | undefined;

function requestSchemaFor(maxInstances: number) {
  if (requestSchema?.maxInstances !== maxInstances) {
    requestSchema = { maxInstances, schema: buildRequestSchema(maxInstances) };
  }
  return requestSchema.schema;
}

/** RFC 6901: `~` and `/` inside a reference token are escaped. */
export function jsonPointer(path: readonly PropertyKey[]): string {
  return path.map((token) => `/${String(token).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * The request field a key most likely means: the same but for case, or one of them a prefix of
 * the other. Undefined when none is near.
 */
export function nearestRequestField(key: string): string | undefined {
  const folded = key.toLowerCase();
  return REQUEST_FIELDS.find((field) => {
    const foldedField = field.toLowerCase();
    return foldedField.startsWith(folded) || folded.startsWith(foldedField);
  });
}

function unknownFieldDetail(key: string): string {
  const near = nearestRequestField(key);
  const known = `known fields are ${REQUEST_FIELDS.join(', ')}`;
  return near ? `is not a known field; did you mean ${near}?` : `is not a known field; ${known}`;
}

function toProblems(issues: readonly z.core.$ZodIssue[]): FieldProblem[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          pointer: jsonPointer([...issue.path, key]),
          // Only a tag is a nested object; the request's fields are no hint there.
          detail:
            issue.path.length === 0
              ? unknownFieldDetail(key)
              : 'is not a known field; a tag holds Key and Value',
        }))
      : [{ pointer: jsonPointer(issue.path), detail: issue.message }],
  );
}

/** A field given for another mode than the request's (an unknown mode is reported on its own). */
function modeProblems(payload: unknown): FieldProblem[] {
  if (!isRecord(payload)) return [];
  const chosen = payload.Mode ?? 'Detach';
  if (!(MODES as readonly unknown[]).includes(chosen)) return [];
  return MODE_ONLY_FIELDS.filter(
    ({ field, mode }) => payload[field] !== undefined && mode !== chosen,
  ).map(({ field, mode }) => ({
    pointer: jsonPointer([field]),
    detail: `belongs to Mode ${mode}; this request's Mode is ${String(chosen)}`,
  }));
}

/** Fields that need a Target, and a Target's own rules (an unknown Target is reported alone). */
function targetProblems(payload: unknown): FieldProblem[] {
  if (!isRecord(payload)) return [];
  const problem = (field: string, detail: string) => ({ pointer: jsonPointer([field]), detail });
  const given = payload.Target;
  if (given === undefined) {
    return [
      ...(payload.InstanceIds === undefined ? [problem('InstanceIds', 'is required')] : []),
      ...TARGET_ONLY_FIELDS.filter((field) => payload[field] !== undefined).map((field) =>
        problem(field, 'needs Target (Holders or AllInstances)'),
      ),
      ...(payload.RegionId === ALL_REGIONS || Array.isArray(payload.RegionId)
        ? [
            problem(
              'RegionId',
              'names one region when InstanceIds are given; several regions need Target',
            ),
          ]
        : []),
    ];
  }
  if (!(TARGETS as readonly unknown[]).includes(given)) return [];
  return [
    ...(payload.InstanceIds !== undefined
      ? [problem('InstanceIds', 'must not be given with Target: give one or the other')]
      : []),
    ...(given === 'AllInstances' && (payload.Mode ?? 'Detach') !== 'Online'
      ? [
          problem(
            'Target',
            'AllInstances needs Mode Online: only a guest can say it still accepts the key',
          ),
        ]
      : []),
  ];
}

/** Validates a payload, reporting every problem at once; throws ValidationError. */
export function parseRequest(payload: unknown, maxInstances: number): DetachRequest {
  const result = z.safeParse(requestSchemaFor(maxInstances), payload);
  const problems = [
    ...(result.success ? [] : toProblems(result.error.issues)),
    ...modeProblems(payload),
    ...targetProblems(payload),
  ];
  if (problems.length > 0 || !result.success) throw new ValidationError(problems);
  const { RegionId, InstanceIds, ...rest } = result.data;
  return {
    ...rest,
    RegionId: RegionId.text,
    Regions: RegionId.regions,
    InstanceIds: InstanceIds ?? [],
  };
}
