/**
 * Transpile-only: type-checking runs once, as `tsc -b tsconfig.json --noEmit` (build mode: next to nothing when no
 * input changed), before jest (see package.json "test").
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { diagnostics: false }],
  },
  // cdktf's token stack traces formatted on first read, as in the bundled app (scripts/jest-resolver.js).
  resolver: "<rootDir>/scripts/jest-resolver.js",
  setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
  testTimeout: 60000,
  maxWorkers: 2,
  // Recycle a worker between test files once it holds this much (the provider bindings and synth trees add up):
  // keeps the whole `npm test` process tree under 1 GB on a 2-core machine.
  workerIdleMemoryLimit: "200MB",
};
