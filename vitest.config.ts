import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@headroom/source'] },
  ssr: { resolve: { conditions: ['@headroom/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', 'json'],
    outputFile: {
      json: process.env.HEADROOM_TEST_ARTIFACTS
        ? `${process.env.HEADROOM_TEST_ARTIFACTS}/vitest-report.json`
        : 'test-artifacts/vitest-report.json',
    },
  },
});
