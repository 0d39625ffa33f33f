import { dnsConformanceSuite, providerConformanceSuite } from '@headroom/testkit';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { createDoDnsProvider } from './do-dns-provider.js';
import { createDoProvider } from './do-provider.js';

/**
 * Conformance against the real DigitalOcean API. Skipped unless DIGITALOCEAN_TOKEN is set (and
 * HEADROOM_DO_LIVE=1, so that a token in a developer's shell does not start billed droplets by
 * accident). Droplets are tagged `headroom-managed-by:headroom-conformance-<run id>` and destroyed.
 *
 *   HEADROOM_DO_LIVE=1 DIGITALOCEAN_TOKEN=dop_v1_… \
 *   [HEADROOM_DO_REGION=nyc1] [HEADROOM_DO_SIZE=s-1vcpu-1gb] [HEADROOM_DO_IMAGE=ubuntu-24-04-x64] \
 *   [HEADROOM_DO_DNS_ZONE=agents.example.com] \
 *   pnpm vitest run packages/provider-do/src/do-provider.live.test.ts
 */
const live = process.env.HEADROOM_DO_LIVE === '1' && Boolean(process.env.DIGITALOCEAN_TOKEN);
const runner = { describe, test, beforeAll, afterAll };
const timeoutMs = 300_000;
const settleTimeoutMs = 120_000;

describe.skipIf(!live)('digitalocean live (real droplets)', () => {
  providerConformanceSuite({
    name: 'digitalocean live',
    runner,
    timeoutMs,
    settleTimeoutMs,
    createTarget: async () => ({
      provider: createDoProvider({
        maxInstances: 5,
        region: process.env.HEADROOM_DO_REGION ?? 'nyc1',
        size: process.env.HEADROOM_DO_SIZE ?? 's-1vcpu-1gb',
        image: process.env.HEADROOM_DO_IMAGE ?? 'ubuntu-24-04-x64',
      }),
      shape: { cores: 1, memoryMb: 1024, gpus: 0 },
      missingInstanceId: '1',
    }),
  });
});

describe.skipIf(!live || !process.env.HEADROOM_DO_DNS_ZONE)('digitalocean live (real domains)', () => {
  dnsConformanceSuite({
    name: 'digitalocean live',
    runner,
    timeoutMs,
    settleTimeoutMs,
    createTarget: async () => ({ dns: createDoDnsProvider({}), zone: process.env.HEADROOM_DO_DNS_ZONE as string }),
  });
});
