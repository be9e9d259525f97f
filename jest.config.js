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
      // Files the bundle inlines as text (the guest's removal script) are their content here too.
      '^.+\\.sh$': '<rootDir>/test/helpers/text-transform.mjs',
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
  // A worker that ends a test file with more heap than this is replaced by a fresh one. Without
  // it each worker grows to 250-450 MB over some twenty files (the emulator at scale, fuzzing,
  // every module's transformed source), and Node then takes 0.4-0.6 s to tear that heap down
  // when the worker exits, past the 0.5 s jest allows: "A worker process has failed to exit
  // gracefully", with no handle left open.
  workerIdleMemoryLimit: '200MB',
  testTimeout: 60_000,
  // Read when coverage is on, as in `npm test`; a run of a single project leaves it off.
  collectCoverageFrom: ['<rootDir>/functions/**/*.ts'],
  coverageReporters: ['text-summary', 'lcovonly'],
  // What the whole suite reached when the threshold was last set (with the Online and Reboot
  // stages), rounded down: 97.18 % of statements, 91 % of branches, 98.65 % of functions,
  // 98.1 % of lines. Branches sit a point lower, as runs differ by a few tenths.
  coverageThreshold: {
    global: { statements: 97, branches: 90, functions: 98, lines: 98 },
  },
};
