/** The result's published schema (schemas/result.schema.json), checked against real results. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';

const validate = new Ajv({ allErrors: true }).compile(
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'schemas', 'result.schema.json'), 'utf8')),
);

/** Fails the test, naming every mismatch, when `result` is not what the schema describes. */
export function expectSchemaValid(result: unknown): void {
  const valid = validate(result);
  expect(valid ? [] : validate.errors).toEqual([]);
}
