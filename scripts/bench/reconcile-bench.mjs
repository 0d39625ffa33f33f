// Part 1. Provisioning 1,000 instances through the fake provider limited to 20 calls/s (token bucket of 20)
// with 300 ms latency per call, in REAL time with real timers: the autoscaler's own limiter is set
// to 20 calls/s and 10 calls in flight. The rate limit alone allows 1,000 calls in 50 s; the target
// is a wall time of at most 1.1 × that.
//
// Part 2. One tick of a settled fleet of 10,000 instances where nothing changed (median, p99 of
// wall time per tick), with the default full-verification interval (ticks in between skip ledger
// verification, orphans and stale DNS) and with full verification on every tick.
import {
  createAutoscaler,
  createMemoryStateStore,
  instanceNameFor,
  parseConfig,
} from '../../packages/core/dist/index.js';
import { createFakeProvider } from '../../packages/core/dist/test/index.js';

const INSTANCES = 1000;
const CALLS_PER_SECOND = 20;
const LATENCY_MS = 300;
const IDEAL_SECONDS = INSTANCES / CALLS_PER_SECOND;

// `--unchanged-only` runs part 2 alone (for profiling).
const provisioned = process.argv.includes('--unchanged-only') ? true : await provisionThousand();

async function provisionThousand() {
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
  return live === INSTANCES && wallSeconds / IDEAL_SECONDS <= 1.1;
}

const FLEET = 10_000;
const TICKS = 300;

/** A settled fleet: FLEET running instances at the provider and in the ledger, each with a session. */
async function settledFleet() {
  const provider = createFakeProvider({ providerId: 'fake' });
  const store = createMemoryStateStore();
  const createdAt = new Date(Date.now() - 3_600_000).toISOString();
  const instances = [];
  for (let index = 0; index < FLEET; index += 1) {
    const intentKey = `hr-${index.toString(16).padStart(20, '0')}`;
    const name = instanceNameFor({ pool: 'bench', autoscale: 'main', intentKey });
    const { instance } = provider.cloud.createInstance({
      providerId: 'fake',
      name,
      idempotencyKey: intentKey,
      tags: {
        'headroom-managed-by': 'headroom',
        'headroom-pool': 'bench',
        'headroom-autoscale': 'main',
        'headroom-intent': intentKey,
      },
      shape: { cores: 4, memoryMb: 8192, gpus: 0 },
    });
    await store.putInstance({
      epoch: 1,
      instance: {
        id: name,
        providerInstanceId: instance.instanceId,
        pool: 'bench',
        autoscale: 'main',
        provider: 'cloud',
        state: 'running',
        shape: { cores: 4, memoryMb: 8192, gpus: 0 },
        createdAt,
        intentKey,
      },
    });
    instances.push({
      id: name,
      pool: 'bench',
      autoscale: 'main',
      provider: 'cloud',
      state: 'running',
      checkedIn: true,
      createdAt,
      capacity: { cores: 4, memoryMb: 8192, gpus: 0 },
      sessions: [{ id: `s-${index}`, cores: 1, memoryMb: 1024, gpus: 0, staged: false }],
    });
  }
  return { provider, store, instances };
}

async function unchangedTicks(fullVerificationIntervalSeconds) {
  const { provider, store, instances } = await settledFleet();
  const config = parseConfig({
    providers: { cloud: { type: 'fake', maxInstances: FLEET * 2 } },
    pools: [
      {
        id: 'bench',
        kind: 'docker-agent',
        autoscale: [
          {
            id: 'main',
            provider: 'cloud',
            standby: { cores: 4, memoryMb: 0, gpus: 0 },
            agent: { cores: 4, memoryMb: 8192, gpus: 0 },
          },
        ],
      },
    ],
  });
  const autoscaler = createAutoscaler({
    config,
    store,
    providers: { cloud: provider },
    inventory: { getSnapshot: async ({ now }) => ({ at: new Date(now).toISOString(), instances, queued: [] }) },
    rateLimit: { callsPerSecond: 1_000_000, concurrency: 64 },
    ...(fullVerificationIntervalSeconds === undefined ? {} : { fullVerificationIntervalSeconds }),
  });
  const first = await autoscaler.tick();
  const acted = (result) => result.actions.created.length + result.actions.destroyed.length;
  if (acted(first) > 0 || first.errors.length > 0) throw new Error('the bench fleet is not settled');
  const times = [];
  for (let tick = 0; tick < TICKS; tick += 1) {
    const startedAt = performance.now();
    const result = await autoscaler.tick();
    times.push(performance.now() - startedAt);
    if (acted(result) > 0 || result.errors.length > 0) throw new Error('a tick acted on an unchanged fleet');
  }
  times.sort((a, b) => a - b);
  return {
    median: times[Math.floor(times.length / 2)],
    p99: times[Math.min(times.length - 1, Math.ceil(times.length * 0.99) - 1)],
  };
}

const incremental = await unchangedTicks(undefined);
const everyTick = await unchangedTicks(0);
console.log(
  `reconcile-bench: tick of a settled fleet of ${FLEET} instances, nothing changed (${TICKS} ticks, wall time)`,
);
console.log(
  `  default (full verification every 300 s): median ${incremental.median.toFixed(2)} ms, p99 ${incremental.p99.toFixed(2)} ms`,
);
console.log(
  `  full verification every tick:            median ${everyTick.median.toFixed(2)} ms, p99 ${everyTick.p99.toFixed(2)} ms`,
);
process.exitCode = provisioned ? 0 : 1;
