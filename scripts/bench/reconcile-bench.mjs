// Provisioning 1,000 instances through the fake provider limited to 20 calls/s (token bucket of 20)
// with 300 ms latency per call, in REAL time with real timers: the autoscaler's own limiter is set
// to 20 calls/s and 10 calls in flight. The rate limit alone allows 1,000 calls in 50 s; the target
// is a wall time of at most 1.1 × that.
import { createAutoscaler, createMemoryStateStore, parseConfig } from '../../packages/core/dist/index.js';
import { createFakeProvider } from '../../packages/core/dist/test/index.js';

const INSTANCES = 1000;
const CALLS_PER_SECOND = 20;
const LATENCY_MS = 300;
const IDEAL_SECONDS = INSTANCES / CALLS_PER_SECOND;

const provider = createFakeProvider({
  providerId: 'fake',
  latencyMs: LATENCY_MS,
  rateLimit: { requestsPerSecond: CALLS_PER_SECOND },
});
const config = parseConfig({
  providers: { cloud: { type: 'fake', maxInstances: INSTANCES } },
  pools: [
    {
      id: 'bench',
      kind: 'docker-agent',
      autoscale: [
        {
          id: 'main',
          provider: 'cloud',
          standby: { cores: INSTANCES, memoryMb: 0, gpus: 0 },
          agent: { cores: 1, memoryMb: 0, gpus: 0 },
        },
      ],
    },
  ],
});
const calls = { total: 0, failed: 0, throttled: 0 };
const autoscaler = createAutoscaler({
  config,
  store: createMemoryStateStore(),
  providers: { cloud: provider },
  // The control plane reports nothing yet: the ledger alone keeps the tick from creating twice.
  inventory: { getSnapshot: async ({ now }) => ({ at: new Date(now).toISOString(), instances: [], queued: [] }) },
  rateLimit: { callsPerSecond: CALLS_PER_SECOND, concurrency: 10 },
  retry: { maxAttempts: 4, initialDelayMs: 500, maxDelayMs: 4000 },
  onEvent(event) {
    if (event.type !== 'provider-call') return;
    calls.total += 1;
    if (event.errorClass) calls.failed += 1;
  },
});

const startedAt = performance.now();
const result = await autoscaler.tick();
const wallSeconds = (performance.now() - startedAt) / 1000;
const live = provider.instances().length;
const throttled = provider.createCalls.length - live;

console.log(
  `reconcile-bench: provision ${INSTANCES} instances, fake provider ${CALLS_PER_SECOND} calls/s, ${LATENCY_MS} ms latency (real time)`,
);
console.log(
  `  instances created:        ${result.actions.created.length} (live at the provider: ${live}, create failures: ${result.actions.createFailed})`,
);
console.log(
  `  provider calls:           ${calls.total} (${calls.failed} failed; create calls ${provider.createCalls.length}, ≈${Math.max(0, throttled)} retried)`,
);
console.log(`  wall time:                ${wallSeconds.toFixed(2)} s`);
console.log(
  `  rate-limit bound:         ${IDEAL_SECONDS.toFixed(2)} s (${INSTANCES} calls / ${CALLS_PER_SECOND} per s)`,
);
console.log(`  ratio:                    ${(wallSeconds / IDEAL_SECONDS).toFixed(3)}× (target ≤ 1.1×)`);
console.log(`  max calls in flight:      ${provider.maxInFlightCalls}`);
if (result.errors.length > 0)
  console.log(`  tick errors:              ${result.errors.length} (first: ${result.errors[0].message})`);
process.exitCode = live === INSTANCES && wallSeconds / IDEAL_SECONDS <= 1.1 ? 0 : 1;
