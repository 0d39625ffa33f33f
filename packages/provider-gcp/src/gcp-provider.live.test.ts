import { dnsConformanceSuite, providerConformanceSuite } from '@headroom/testkit';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { createGcpDnsProvider } from './gcp-dns-provider.js';
import { createGcpProvider } from './gcp-provider.js';

/**
 * Conformance against real Compute Engine and Cloud DNS. Skipped unless HEADROOM_GCP_LIVE=1. It
 * creates and deletes real (billed) instances, labelled `headroom-managed-by=headroom-conformance-<run id>`.
 *
 *   HEADROOM_GCP_LIVE=1 GOOGLE_APPLICATION_CREDENTIALS=/path/key.json GOOGLE_CLOUD_PROJECT=my-project \
 *   [HEADROOM_GCP_ZONE=us-east4-b] [HEADROOM_GCP_MACHINE_TYPE=e2-micro] \
 *   [HEADROOM_GCP_IMAGE=projects/debian-cloud/global/images/family/debian-12] \
 *   [HEADROOM_GCP_DNS_ZONE=agents.example.com] \
 *   pnpm vitest run packages/provider-gcp/src/gcp-provider.live.test.ts
 *
 * Credentials: Application Default Credentials (the key file above, or `gcloud auth application-default login`).
 */
const live = process.env.HEADROOM_GCP_LIVE === '1';
const runner = { describe, test, beforeAll, afterAll };
const timeoutMs = 300_000;
const settleTimeoutMs = 120_000;

describe.skipIf(!live)('gcp live (real Compute Engine)', () => {
  providerConformanceSuite({
    name: 'gcp live',
    runner,
    timeoutMs,
    settleTimeoutMs,
    createTarget: async () => {
      const zone = process.env.HEADROOM_GCP_ZONE ?? 'us-east4-b';
      const provider = createGcpProvider({
        region: zone.replace(/-[a-z]$/, ''),
        zone,
        maxInstances: 5,
        machineType: process.env.HEADROOM_GCP_MACHINE_TYPE ?? 'e2-micro',
        image: process.env.HEADROOM_GCP_IMAGE ?? 'projects/debian-cloud/global/images/family/debian-12',
      });
      return {
        provider,
        shape: { cores: 0, memoryMb: 0, gpus: 0 },
        missingInstanceId: `${zone}/headroom-missing-instance`,
        cleanup: () => provider.close(),
      };
    },
  });
});

describe.skipIf(!live || !process.env.HEADROOM_GCP_DNS_ZONE)('gcp live (real Cloud DNS)', () => {
  dnsConformanceSuite({
    name: 'gcp live',
    runner,
    timeoutMs,
    settleTimeoutMs,
    createTarget: async () => ({ dns: createGcpDnsProvider({}), zone: process.env.HEADROOM_GCP_DNS_ZONE as string }),
  });
});
