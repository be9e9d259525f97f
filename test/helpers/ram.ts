/** The repo's RAM policies, as the suites restrict emulator credentials to them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RamPolicy } from '../../local/ecs-emulator';

function policy(...path: string[]): RamPolicy {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'ram', ...path), 'utf8')) as RamPolicy;
}

/** The default deployment's role (Detach and Online). */
export const FUNCTION_ROLE_POLICY = policy('function-role-policy.json');
/** What a deployment that allows Reboot gives its role. */
export const REBOOT_ROLE_POLICY = policy('modes', 'reboot.json');
