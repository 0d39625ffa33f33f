// A small scaler process for the crash-safety test. It runs the BUILT packages (run `pnpm -s build`
// first): an autoscaler with a SQLite state store against the fake cloud HTTP server, taking the
// fleet snapshot from the test's control-plane endpoint. Every action event is printed as one JSON
// line on stdout, so the test can SIGKILL it at chosen points of its create/destroy cycles.
//
// usage: node crash-scaler.mjs <fake cloud url> <control plane url> <sqlite file>

import { createSqliteStateStore } from '../../store-sqlite/dist/index.js';
import { createAutoscaler, parseConfig } from '../dist/index.js';
import { createFakeHttpProvider } from '../dist/test/index.js';

const [cloudUrl, controlPlaneUrl, storePath] = process.argv.slice(2);
if (!cloudUrl || !controlPlaneUrl || !storePath) {
  process.stderr.write('usage: node crash-scaler.mjs <fake cloud url> <control plane url> <sqlite file>\n');
  process.exit(2);
}

const MAX_INSTANCES = Number(process.env.CRASH_MAX_INSTANCES ?? 6);
const ZONE = 'agents.crash.test';

const config = parseConfig({
  providers: { cloud: { type: 'fake', maxInstances: MAX_INSTANCES } },
  dnsProviders: { zone: { type: 'fake' } },
  scaler: { intervalSeconds: 0.1 },
  pools: [
    {
      id: 'agents',
      kind: 'docker-agent',
      autoscale: [
        {
          id: 'main',
          provider: 'cloud',
          aggressiveScaling: true,
          standby: { cores: 0, memoryMb: 0, gpus: 0 },
          agent: { cores: 2, memoryMb: 0, gpus: 0 },
          downscaleBackoffSeconds: 0,
          dns: { provider: 'zone', baseDomain: ZONE, ttlSeconds: 30 },
        },
      ],
    },
  ],
});

const provider = createFakeHttpProvider({ url: cloudUrl, providerId: 'fake', requestTimeoutMs: 3000 });
const store = createSqliteStateStore({ path: storePath, lockTimeoutMs: 10_000 });
const actionEvents = new Set([
  'instance-create-start',
  'instance-create-end',
  'instance-create-error',
  'instance-destroy-start',
  'instance-destroy-end',
  'instance-destroy-error',
  'dns-upsert',
  'dns-delete',
  'orphan-found',
  'orphan-destroyed',
  'intent-resolved',
]);

const autoscaler = createAutoscaler({
  config,
  store,
  providers: { cloud: provider },
  dnsProviders: { zone: provider },
  inventory: {
    async getSnapshot({ abortSignal }) {
      const response = await fetch(`${controlPlaneUrl}/snapshot`, { signal: abortSignal ?? AbortSignal.timeout(3000) });
      if (!response.ok) throw new Error(`control plane answered ${response.status}`);
      return response.json();
    },
  },
  intentGraceSeconds: 2,
  orphans: { mode: 'destroy', graceSeconds: 2 },
  rateLimit: { callsPerSecond: 200, concurrency: 4 },
  retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 200 },
  onEvent(event) {
    if (!actionEvents.has(event.type)) return;
    process.stdout.write(`${JSON.stringify({ type: event.type, instanceId: event.instanceId ?? event.name })}\n`);
  },
});

process.on('SIGTERM', () => {
  autoscaler
    .stop()
    .then(() => store.close())
    .then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
        process.exit(1);
      },
    );
});

await store.init();
process.stdout.write(`${JSON.stringify({ type: 'ready' })}\n`);
autoscaler.start();
