import { type ConformanceFault, dnsConformanceSuite, providerConformanceSuite } from '@headroom/testkit';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { FAKE_DO_DEFAULTS, startFakeDoServer } from '../test/fake-do-server.js';
import { createDoDnsProvider } from './do-dns-provider.js';
import { createDoProvider } from './do-provider.js';

const runner = { describe, test, beforeAll, afterAll };
const faults: ConformanceFault[] = ['insufficient-capacity', 'quota-exceeded', 'throttled', 'server-error'];

// The adapter's own fetch client against the local stateful fake of the API v2 (small pages).
providerConformanceSuite({
  name: 'digitalocean (API v2 fake)',
  runner,
  faults,
  createTarget: async () => {
    const server = await startFakeDoServer({ maxPageSize: 2, requireExistingTags: true });
    const provider = createDoProvider({
      endpoint: server.endpoint,
      token: FAKE_DO_DEFAULTS.token,
      maxInstances: 20,
      region: FAKE_DO_DEFAULTS.region,
      size: FAKE_DO_DEFAULTS.size,
      image: FAKE_DO_DEFAULTS.image,
      vpcUuid: FAKE_DO_DEFAULTS.vpcUuid,
      sshKeys: [FAKE_DO_DEFAULTS.sshKey.name],
      tags: 'vdi,agents',
      firewallName: FAKE_DO_DEFAULTS.firewall.name,
    });
    return {
      provider,
      shape: { cores: 2, memoryMb: 4096, gpus: 0 },
      missingInstanceId: '999999999',
      injectFault: (fault) => server.failNext({ route: 'CreateDroplet', fault }),
      cleanup: () => server.close(),
    };
  },
});

// Records live in the account's domain example.com; the zone is a subdomain of it.
dnsConformanceSuite({
  name: 'digitalocean (domains fake)',
  runner,
  createTarget: async () => {
    const server = await startFakeDoServer({ maxPageSize: 3, domains: ['example.org', 'example.com'] });
    const dns = createDoDnsProvider({ endpoint: server.endpoint, token: FAKE_DO_DEFAULTS.token });
    return { dns, zone: 'agents.example.com', cleanup: () => server.close() };
  },
});
