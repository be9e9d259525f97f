/** The actions the emulator answers, by their API names. */
import { attachKeyPair } from './attach-key-pair';
import { createKeyPair } from './create-key-pair';
import { deleteKeyPairs } from './delete-key-pairs';
import { describeCloudAssistantStatus } from './describe-cloud-assistant-status';
import { describeInstanceStatus } from './describe-instance-status';
import { describeInstances } from './describe-instances';
import { describeInvocationResults } from './describe-invocation-results';
import { describeInvocations } from './describe-invocations';
import { describeKeyPairs } from './describe-key-pairs';
import { describeRegions } from './describe-regions';
import { detachKeyPair } from './detach-key-pair';
import { importKeyPair } from './import-key-pair';
import { invokeCommand } from './invoke-command';
import { rebootInstance } from './reboot-instance';
import { rebootInstances } from './reboot-instances';
import { runCommand } from './run-command';
import type { Action } from './types';

export const ACTIONS: ReadonlyMap<string, Action> = new Map([
  ['AttachKeyPair', attachKeyPair],
  ['CreateKeyPair', createKeyPair],
  ['DeleteKeyPairs', deleteKeyPairs],
  ['DescribeCloudAssistantStatus', describeCloudAssistantStatus],
  ['DescribeInstanceStatus', describeInstanceStatus],
  ['DescribeInstances', describeInstances],
  ['DescribeInvocationResults', describeInvocationResults],
  ['DescribeInvocations', describeInvocations],
  ['DescribeKeyPairs', describeKeyPairs],
  ['DescribeRegions', describeRegions],
  ['DetachKeyPair', detachKeyPair],
  ['ImportKeyPair', importKeyPair],
  ['InvokeCommand', invokeCommand],
  ['RebootInstance', rebootInstance],
  ['RebootInstances', rebootInstances],
  ['RunCommand', runCommand],
]);
