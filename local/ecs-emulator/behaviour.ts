/**
 * The emulator's answers where the ECS docs disagree or are silent. Each default is the most
 * plausible reading; docs/emulator.md says why.
 */

/** What a DetachKeyPair/AttachKeyPair batch reports for an instance it cannot act on. */
export type PerInstanceOutcome =
  /** An entry with Success false, counted in FailCount. */
  | 'fail'
  /** An entry with Success true, as if the desired state already held. */
  | 'succeed'
  /** No entry at all. */
  | 'omit';

export interface Behaviour {
  /** Status of InvalidKeyPairName.NotFound: 400 in current docs, 404 in older ones. */
  keyPairNotFoundStatus: 400 | 404;
  /**
   * DetachKeyPair/AttachKeyPair counts and per-instance fields as JSON numbers and booleans
   * (`native`, as the current doc's example) or as strings (`string`, as the declared types).
   */
  resultFieldStyle: 'native' | 'string';
  /** Per-instance entry for an id with no instance in the request's region. */
  unknownInstance: PerInstanceOutcome;
  /** Per-instance DetachKeyPair entry for an instance that does not hold the key pair. */
  keyPairNotBound: PerInstanceOutcome;
  /** How long RebootInstance takes: Stopping for the first half, Starting for the second. */
  rebootMs: number;
}

export const DEFAULT_BEHAVIOUR: Behaviour = {
  keyPairNotFoundStatus: 400,
  resultFieldStyle: 'native',
  unknownInstance: 'fail',
  keyPairNotBound: 'fail',
  rebootMs: 2000,
};
