/** Two projects: pure unit tests, and tests against the real emulators (`*.emulator.test.ts`). */
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
};
const common = {
  transform,
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/loopback-only.js'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  roots: ['<rootDir>/test'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['\\.emulator\\.test\\.ts$'] },
    {
      ...common,
      displayName: 'emulator',
      testMatch: ['**/*.emulator.test.ts'],
      // Started once for the run, only when an emulator test is selected.
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  // Two cores: the JVM emulators and function processes need one.
  maxWorkers: 2,
  testTimeout: 60_000,
};
