/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', {}],
    // Files the bundle inlines as text (the guest's removal script) are their content here too.
    '^.+\\.sh$': '<rootDir>/test/helpers/text-transform.mjs',
  },
  maxWorkers: 2,
  testTimeout: 60_000,
};
