import { defineConfig } from 'vitest/config';
import { trustTestTlsCertificate } from './packages/testkit/src/test-tls-certificate.js';

// Loopback HTTPS fakes (Azure, Cloud DNS, the service's TLS) use one self-signed certificate that
// every test worker trusts: Node reads NODE_EXTRA_CA_CERTS only at start-up, so set it here.
trustTestTlsCertificate();

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
