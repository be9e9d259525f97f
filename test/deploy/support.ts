import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export const REPO_ROOT = resolve(__dirname, '../..');

export function repoPath(...segments: string[]): string {
  return join(REPO_ROOT, ...segments);
}

export function readJson<T>(...segments: string[]): T {
  return JSON.parse(readFileSync(repoPath(...segments), 'utf8')) as T;
}

/** Parses strictly: a duplicate key or a YAML error fails the test instead of being ignored. */
export function readYaml<T>(...segments: string[]): T {
  return parse(readFileSync(repoPath(...segments), 'utf8'), { uniqueKeys: true }) as T;
}
