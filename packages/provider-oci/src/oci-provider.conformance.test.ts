import { type ConformanceFault, dnsConformanceSuite, providerConformanceSuite } from '@headroom/testkit';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { fakeOciDnsSettings, fakeOciProviderSettings, startFakeOciServer } from '../test/fake-oci-server.js';
import { createOciDnsProvider } from './oci-dns-provider.js';
import { createOciProvider } from './oci-provider.js';

const runner = { describe, test, beforeAll, afterAll };
const faults: ConformanceFault[] = ['insufficient-capacity', 'quota-exceeded', 'throttled', 'server-error'];

// The real SDK (serialization, request signing) against the local fake, which verifies every
// signature with the key's public half. One availability domain, so a capacity fault surfaces.
providerConformanceSuite({
  name: 'oci (Core fake through the SDK endpoint)',
  runner,
  faults,
  createTarget: async () => {
    const server = await startFakeOciServer({ maxPageSize: 2 });
    const provider = createOciProvider(fakeOciProviderSettings(server));
    return {
      provider,
      shape: { cores: 2, memoryMb: 8192, gpus: 0 },
      missingInstanceId: 'ocid1.instance.oc1.iad.doesnotexist',
      injectFault: (fault) => server.failNext({ route: 'LaunchInstance', fault }),
      cleanup: () => server.close(),
    };
  },
});

// The zone example.com serves the base domain agents.example.com.
dnsConformanceSuite({
  name: 'oci (DNS fake through the SDK endpoint)',
  runner,
  createTarget: async () => {
    const server = await startFakeOciServer({ maxPageSize: 2, zones: ['example.org', 'example.com'] });
    return {
      dns: createOciDnsProvider(fakeOciDnsSettings(server)),
      zone: 'agents.example.com',
      cleanup: () => server.close(),
    };
  },
});
