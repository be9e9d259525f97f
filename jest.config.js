/**
 * One project per folder of test/, so that each runs alone (`npx jest --selectProjects unit`):
 *
 * - unit: the function, local/ and cli/ in process, on fakes; no socket (see its environment).
 * - integration: the real SDK over loopback against the emulator; cli/ against a local server.
 * - e2e: dist/ in the local FC runtime and through `npm start`.
 * - emulator: the ECS emulator itself.
 * - deploy: the bundle as FC loads it, s.yaml, the RAM policy and the OOS template.
 * - bench: the bench harness at a small size, and its report.
 * - reliability: faults, fuzzing, load and hostile input (`npm run reliability` for full size).
 */
function project(folder, options = {}) {
  return {
    displayName: folder,
    testEnvironment: 'node',
    roots: [`<rootDir>/test/${folder}`],
    testMatch: ['**/*.test.ts'],
    transform: {
      '^.+\\.ts$': ['ts-jest', {}],
    },
    ...options,
  };
}

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    project('unit', { testEnvironment: '<rootDir>/test/helpers/no-sockets-environment.ts' }),
    project('integration'),
    project('e2e'),
    project('emulator'),
    project('deploy'),
    project('bench'),
    project('reliability'),
  ],
  maxWorkers: 2,
  testTimeout: 60_000,
};
