import { type ConformanceFault, dnsConformanceSuite, providerConformanceSuite } from '@headroom/testkit';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { FAKE_AZURE_VM_PUT_ROUTE, startFakeAzureServer } from '../test/fake-azure-server.js';
import { fakeAzureDnsSettings, fakeAzureProviderSettings } from './__fixtures__/fake-azure-settings.js';
import { createAzureDnsProvider } from './azure-dns-provider.js';
import { createAzureProvider } from './azure-provider.js';

const runner = { describe, test, beforeAll, afterAll };
const faults: ConformanceFault[] = ['insufficient-capacity', 'quota-exceeded', 'throttled', 'server-error'];

// The real SDKs (client-secret sign-in, bearer tokens, JSON, nextLink paging, LRO polling)
// against the local stateful fake of Resource Manager over HTTPS.
providerConformanceSuite({
  name: 'azure (ARM fake through the SDK endpoint)',
  runner,
  faults,
  createTarget: async () => {
    const server = await startFakeAzureServer({ maxPageSize: 2 });
    const provider = createAzureProvider(fakeAzureProviderSettings(server));
    return {
      provider,
      shape: { cores: 2, memoryMb: 8192, gpus: 0 },
      missingInstanceId: 'headroom-missing-vm',
      injectFault: (fault) => server.api.failNext({ route: FAKE_AZURE_VM_PUT_ROUTE, fault }),
      cleanup: async () => {
        await provider.close();
        await server.close();
      },
    };
  },
});

// Azure DNS through the SDK against the fake; the zone is a parent of the base domain.
dnsConformanceSuite({
  name: 'azure (Azure DNS fake through the SDK endpoint)',
  runner,
  createTarget: async () => {
    const server = await startFakeAzureServer({ dnsZones: ['example.com'], maxPageSize: 3 });
    const dns = createAzureDnsProvider(fakeAzureDnsSettings(server));
    return {
      dns,
      zone: 'agents.example.com',
      cleanup: async () => {
        await dns.close();
        await server.close();
      },
    };
  },
});
