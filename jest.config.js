/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Installs the Temporal binaries if missing and bundles the workflows once per run.
  globalSetup: '<rootDir>/test/global-setup.ts',
  // Time skipping is global to one test server and ports are shared: one file at a time.
  maxWorkers: 1,
  // A server a test file failed to stop (its start outlived a hook's timeout on a starved machine)
  // must not hold the run open until CI's limit: its tether ends it once jest exits.
  forceExit: true,
  testTimeout: 120000,
};
