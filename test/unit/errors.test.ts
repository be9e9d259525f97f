import * as errors from '../../functions/detach-key-pair/src/errors';

/** One instance of every concrete error class, with arguments of the right shape. */
const instances: errors.DetachKeyPairError[] = [
  new errors.UnsupportedEventError('x'),
  new errors.MalformedPayloadError('x'),
  new errors.ValidationError([]),
  new errors.PolicyDeniedError([]),
  new errors.MethodNotAllowedError('PUT', ['POST']),
  new errors.UnsupportedMediaTypeError('x'),
  new errors.PayloadTooLargeError(1),
  new errors.ConfigurationError('x'),
  new errors.EcsCallError('DetachKeyPair', 'server', 'InternalError', 'x'),
  new errors.DeadlineExceededError('x'),
  new errors.SelectionMismatchError(2, 1, [
    { regionId: 'cn-hangzhou', count: 1, sampleIds: ['i-a'] },
  ]),
  new errors.KeyPairNowhereError('k1', 3),
];

describe('the function errors', () => {
  it('covers every error class errors.ts exports', () => {
    // Prepare
    const exported = Object.values(errors).filter(
      (value) =>
        typeof value === 'function' && value.prototype instanceof errors.DetachKeyPairError,
    );

    // Act
    const covered = new Set(instances.map((error) => error.constructor));

    // Assess
    expect(exported.filter((errorClass) => !covered.has(errorClass))).toEqual([]);
  });

  it.each(instances.map((error) => [error.constructor.name, error]))(
    '%s names itself after its class, as minified bundles do not keep class names',
    (className, error) => {
      // Assess
      expect(error.name).toBe(className);
    },
  );
});
