/** The actions the emulator answers, by their API names. */
import { attachKeyPair } from './attach-key-pair';
import { createKeyPair } from './create-key-pair';
import { describeInstances } from './describe-instances';
import { describeKeyPairs } from './describe-key-pairs';
import { describeRegions } from './describe-regions';
import { detachKeyPair } from './detach-key-pair';
import { importKeyPair } from './import-key-pair';
import { rebootInstance } from './reboot-instance';
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
]);
