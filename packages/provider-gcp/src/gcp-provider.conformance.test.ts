import { type ConformanceFault, dnsConformanceSuite, providerConformanceSuite } from '@headroom/testkit';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { startFakeGcpDnsServer } from '../test/fake-gcp-dns-server.js';
import { FAKE_GCP_DEFAULTS, startFakeGcpComputeServer } from '../test/fake-gcp-server.js';
import { createFakeGcpAuthClient } from './__fixtures__/gcp-test-auth.js';
import { createGcpDnsProvider } from './gcp-dns-provider.js';
import { createGcpProvider } from './gcp-provider.js';

const runner = { describe, test, beforeAll, afterAll };
const faults: ConformanceFault[] = ['insufficient-capacity', 'quota-exceeded', 'throttled', 'server-error'];

// The real @google-cloud/compute client (REST transport: serialization, bearer auth, operations)
// against the local stateful fake of the Compute Engine API.
providerConformanceSuite({
  name: 'gcp (Compute Engine fake through the SDK endpoint)',
  runner,
  faults,
  createTarget: async () => {
    const server = await startFakeGcpComputeServer({ maxPageSize: 2, pendingWaits: 1 });
    const provider = createGcpProvider({
      project: FAKE_GCP_DEFAULTS.project,
      endpoint: server.endpoint,
      authClient: createFakeGcpAuthClient(FAKE_GCP_DEFAULTS.accessToken),
      timers: { sleep: async () => undefined },
      region: FAKE_GCP_DEFAULTS.region,
      zone: FAKE_GCP_DEFAULTS.zone,
      maxInstances: 20,
      machineType: 'e2-standard-2',
      image: FAKE_GCP_DEFAULTS.image,
      bootVolumeSizeGb: 50,
      diskType: 'pd-balanced',
      network: FAKE_GCP_DEFAULTS.network,
      subnetwork: FAKE_GCP_DEFAULTS.subnetwork,
      publicIp: true,
    });
    // Load the SDK here (a hook with a long timeout): its first load takes seconds on a busy machine.
    await provider.listInstances({ tags: { 'headroom-managed-by': 'warm-up' } });
    return {
      provider,
      shape: { cores: 2, memoryMb: 8192, gpus: 0 },
      missingInstanceId: `${FAKE_GCP_DEFAULTS.zone}/headroom-missing-instance`,
      injectFault: (fault) => server.failNext({ route: 'instances.insert', fault }),
      cleanup: async () => {
        await provider.close();
        await server.close();
      },
    };
  },
});

// @google-cloud/dns against the HTTPS fake of Cloud DNS; the managed zone is a parent of the base domain.
dnsConformanceSuite({
  name: 'gcp (Cloud DNS fake through the SDK endpoint)',
  runner,
  createTarget: async () => {
    const server = await startFakeGcpDnsServer({
      managedZones: [{ name: 'example-com', dnsName: 'example.com.' }],
      maxPageSize: 3,
    });
    const dns = createGcpDnsProvider({
      project: FAKE_GCP_DEFAULTS.project,
      endpoint: server.endpoint,
      authClient: createFakeGcpAuthClient(FAKE_GCP_DEFAULTS.accessToken),
    });
    return { dns, zone: 'agents.example.com', cleanup: () => server.close() };
  },
});
