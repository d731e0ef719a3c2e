/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/server', '<rootDir>/client', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type-checking happens once before the run (`pretest`: build + typecheck, tests included); here we only transpile.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // A safety net, not a budget (tests wait for conditions): on a loaded 2-core machine starting node processes alone can take 20 s.
  testTimeout: 120000,
  // Socket.IO, Redis and Chromium tests each start real processes; two workers fit two cores.
  maxWorkers: 2,
};
