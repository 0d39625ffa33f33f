import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createFakeDnsProvider,
  createFakeHttpProvider,
  createFakeProvider,
  type FakeCloudServer,
  startFakeCloudServer,
} from '@headroom/core/test';
import { afterAll, beforeAll, describe, test } from 'vitest';
import type { ConformanceFault } from './conformance-runner.js';
import { dnsConformanceSuite } from './dns-conformance-suite.js';
import { providerConformanceSuite } from './provider-conformance-suite.js';

const runner = { describe, test, beforeAll, afterAll };
const allFaults: ConformanceFault[] = ['insufficient-capacity', 'quota-exceeded', 'throttled', 'server-error'];
const zone = 'agents.example.test';

providerConformanceSuite({
  name: 'in-memory fake',
  runner,
  faults: allFaults,
  createTarget: async () => {
    const provider = createFakeProvider({ bootDelayMs: 60_000 });
    return {
      provider,
      shape: { cores: 2, memoryMb: 4096, gpus: 0 },
      injectFault: (fault) => provider.injectFault({ fault }),
    };
  },
});

providerConformanceSuite({
  name: 'in-memory fake with latency and a stopping phase',
  runner,
  createTarget: async () => ({
    provider: createFakeProvider({ latencyMs: 5, destroyDelayMs: 60_000 }),
    shape: { cores: 1, memoryMb: 1024, gpus: 0 },
  }),
});

dnsConformanceSuite({
  name: 'in-memory fake',
  runner,
  createTarget: async () => ({ dns: createFakeDnsProvider({ zones: [zone] }), zone }),
});

/** A fake cloud server on a state file in a scratch directory, stopped and removed by `cleanup`. */
async function startScratchServer(): Promise<{ server: FakeCloudServer; cleanup: () => Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'headroom-fake-cloud-'));
  const server = await startFakeCloudServer({ statePath: join(directory, 'state.json'), bootDelayMs: 1_000 });
  return {
    server,
    cleanup: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

providerConformanceSuite({
  name: 'HTTP fake cloud',
  runner,
  faults: allFaults,
  createTarget: async () => {
    const { server, cleanup } = await startScratchServer();
    const provider = createFakeHttpProvider({ url: server.url, providerId: 'fake-http' });
    return {
      provider,
      shape: { cores: 2, memoryMb: 4096, gpus: 0 },
      injectFault: (fault) => provider.injectFault({ fault, operation: 'create' }),
      cleanup,
    };
  },
});

dnsConformanceSuite({
  name: 'HTTP fake cloud',
  runner,
  createTarget: async () => {
    const { server, cleanup } = await startScratchServer();
    return { dns: createFakeHttpProvider({ url: server.url }), zone, cleanup };
  },
});
