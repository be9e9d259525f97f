/** The actions the emulator answers, by their API names. */
import { attachKeyPair } from './attach-key-pair';
import { createKeyPair } from './create-key-pair';
import { describeInstances } from './describe-instances';
import { describeKeyPairs } from './describe-key-pairs';
import { describeRegions } from './describe-regions';
import { detachKeyPair } from './detach-key-pair';
import { importKeyPair } from './import-key-pair';
import { rebootInstance } from './reboot-instance';
import { describeCloudAssistantStatus } from './describe-cloud-assistant-status';
import { describeInvocationResults } from './describe-invocation-results';
import { describeInvocations } from './describe-invocations';
import { invokeCommand } from './invoke-command';
import { runCommand } from './run-command';
import type { Action } from './types';

export const ACTIONS: ReadonlyMap<string, Action> = new Map([
  ['AttachKeyPair', attachKeyPair],
  ['CreateKeyPair', createKeyPair],
  ['DescribeInstances', describeInstances],
  ['DescribeKeyPairs', describeKeyPairs],
  ['DescribeRegions', describeRegions],
  ['DetachKeyPair', detachKeyPair],
  ['ImportKeyPair', importKeyPair],
  ['RebootInstance', rebootInstance],
  ['DescribeCloudAssistantStatus', describeCloudAssistantStatus],
  ['DescribeInvocationResults', describeInvocationResults],
  ['DescribeInvocations', describeInvocations],
  ['InvokeCommand', invokeCommand],
  ['RunCommand', runCommand],
]);
