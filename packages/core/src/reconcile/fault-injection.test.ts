import { describe, expect, test } from 'vitest';
import { parseConfig } from '../config/parse-config.js';
import type { FleetSnapshot, Instance, Session } from '../model/instance.js';
import type { ComputeProviderV1 } from '../provider/v1/compute-provider-v1.js';
import { createSeededRandom } from '../random/create-seeded-random.js';
import { createMemoryStateStore } from '../store/memory-state-store.js';
import { createFakeClock } from '../test/create-fake-clock.js';
import { createFakeDnsProvider } from '../test/create-fake-dns-provider.js';
import { createFakeProvider } from '../test/create-fake-provider.js';
import type { FakeFaultRates } from '../test/fake-faults.js';
import { createAutoscaler } from './create-autoscaler.js';
import { driveTick } from './reconcile-fixtures.test-helpers.js';

const SEED = Number(process.env.HEADROOM_FAULT_SEED ?? 20261123);
const MAX_INSTANCES = 12;
const AGENT_CORES = 4;
const STANDBY_CORES = 8;
const TICK_MS = 30_000;
const DAY_START = Date.parse('2026-11-23T00:00:00Z');
const FAULTS_STOP = DAY_START + 20 * 3600_000;
const STEP_AFTER_FAULTS = DAY_START + 21 * 3600_000;
const ZONE = 'agents.example.com';

/** 30 % of calls fail: 23 % retryable (throttle, 5xx, timeout, lost response), 7 % capacity or quota (creates). */
const FAULT_RATES: FakeFaultRates = {
  throttled: 0.06,
  'server-error': 0.06,
  timeout: 0.05,
  'response-lost': 0.06,
  'insufficient-capacity': 0.04,
  'quota-exceeded': 0.03,
};

/** Sessions (1 core each) the users want at an instant: a working-day curve with 20-minute waves and a late step. */
function demandAt(atMs: number): number {
  const hour = (atMs - DAY_START) / 3600_000;
  const wave = Math.floor((atMs - DAY_START) / 1_200_000) % 2 === 0 ? 0 : 12;
  if (hour < 7) return 2 + wave;
  if (hour < 12) return 2 + Math.round((hour - 7) * 5) + wave;
  if (hour < 17) return 28 + wave;
  if (hour < 21) return 6 + wave;
  return 20;
}

describe('reconciler under 30 % provider faults for a simulated day', () => {
  test('converges, never exceeds maxInstances and never destroys an instance with sessions', async () => {
    const clock = createFakeClock({ startMs: DAY_START });
    const random = createSeededRandom(SEED);
    const fake = createFakeProvider({
      clock,
      providerId: 'fake',
      bootDelayMs: 60_000,
      destroyDelayMs: 10_000,
      latencyMs: 200,
      timeoutMs: 5000,
      random: createSeededRandom(SEED + 1),
      faultRates: FAULT_RATES,
    });
    const dns = createFakeDnsProvider({
      clock,
      zones: [ZONE],
      random: createSeededRandom(SEED + 2),
      latencyMs: 50,
      timeoutMs: 5000,
    });
    dns.setFaultRates({ rates: { throttled: 0.1, 'server-error': 0.1, timeout: 0.05, 'response-lost': 0.05 } });

    const sessions = new Map<string, Session[]>();
    let sessionSequence = 0;
    let queued = 0;
    const violations: string[] = [];
    let maxLiveSeen = 0;
    const checkLive = () => {
      maxLiveSeen = Math.max(maxLiveSeen, fake.instances().length);
    };
    const guarded: ComputeProviderV1 = {
      specificationVersion: 'v1',
      providerId: 'fake',
      createInstance: async (options) => {
        try {
          return await fake.createInstance(options);
        } finally {
          checkLive();
        }
      },
      destroyInstance: async (options) => {
        const instance = fake.instances().find((candidate) => candidate.instanceId === options.instanceId);
        const busy = instance ? (sessions.get(instance.name)?.length ?? 0) : 0;
        if (busy > 0) violations.push(`${instance?.name} destroyed with ${busy} session(s)`);
        try {
          return await fake.destroyInstance(options);
        } finally {
          checkLive();
        }
      },
      listInstances: async (options) => {
        try {
          return await fake.listInstances(options);
        } finally {
          checkLive();
        }
      },
    };

    /** The control plane: places wanted sessions on running instances (4 per agent), the rest queue. */
    const settleSessions = () => {
      const running = fake.instances().filter((instance) => instance.state === 'running');
      const runningNames = new Set(running.map((instance) => instance.name));
      for (const name of sessions.keys()) if (!runningNames.has(name)) sessions.delete(name);
      let placed = [...sessions.values()].reduce((sum, list) => sum + list.length, 0);
      const wanted = demandAt(clock.now());
      while (placed > wanted) {
        const busiest = [...sessions.entries()]
          .filter(([, list]) => list.length > 0)
          .sort((a, b) => a[1].length - b[1].length)[0]!;
        busiest[1].pop();
        placed -= 1;
      }
      for (const instance of running) {
        const list = sessions.get(instance.name) ?? [];
        while (placed < wanted && list.length < AGENT_CORES) {
          sessionSequence += 1;
          list.push({ id: `s${sessionSequence}`, cores: 1, memoryMb: 0, gpus: 0, staged: false });
          placed += 1;
        }
        sessions.set(instance.name, list);
      }
      queued = Math.max(0, wanted - placed);
    };
    const inventory = {
      async getSnapshot({ now }: { now: number }): Promise<FleetSnapshot> {
        const instances: Instance[] = fake
          .instances()
          .filter((instance) => instance.state === 'running')
          .map((instance) => ({
            id: instance.name,
            pool: 'agents',
            autoscale: 'main',
            provider: 'cloud',
            state: 'running',
            checkedIn: true,
            createdAt: instance.createdAt ?? new Date(now).toISOString(),
            capacity: { cores: AGENT_CORES, memoryMb: 0, gpus: 0 },
            sessions: [...(sessions.get(instance.name) ?? [])],
          }));
        const since = new Date(now).toISOString();
        return {
          at: since,
          instances,
          queued: Array.from({ length: queued }, () => ({ pool: 'agents', cores: 1, memoryMb: 0, gpus: 0, since })),
        };
      },
    };

    const config = parseConfig({
      providers: { cloud: { type: 'fake', maxInstances: MAX_INSTANCES } },
      dnsProviders: { zone: { type: 'fake' } },
      pools: [
        {
          id: 'agents',
          kind: 'docker-agent',
          autoscale: [
            {
              id: 'main',
              provider: 'cloud',
              aggressiveScaling: true,
              standby: { cores: STANDBY_CORES, memoryMb: 0, gpus: 0 },
              agent: { cores: AGENT_CORES, memoryMb: 0, gpus: 0 },
              downscaleBackoffSeconds: 120,
              dns: { provider: 'zone', baseDomain: ZONE },
            },
          ],
        },
      ],
    });
    const store = createMemoryStateStore();
    const autoscaler = createAutoscaler({
      config,
      store,
      providers: { cloud: guarded },
      dnsProviders: { zone: dns },
      inventory,
      clock,
      timers: clock,
      random,
      rateLimit: { callsPerSecond: 10, concurrency: 4 },
      retry: { maxAttempts: 3, initialDelayMs: 500, maxDelayMs: 4000 },
      orphans: { mode: 'destroy', graceSeconds: 300 },
    });

    let ticks = 0;
    let openStreak = 0;
    let longestStreakWithFaults = 0;
    let longestStreakAfterFaults = 0;
    let createFailures = 0;
    let faultsOn = true;
    while (clock.now() < DAY_START + 24 * 3600_000) {
      if (faultsOn && clock.now() >= FAULTS_STOP) {
        fake.setFaultRates({ rates: {} });
        dns.setFaultRates({ rates: {} });
        faultsOn = false;
      }
      settleSessions();
      const tickStart = clock.now();
      const result = await driveTick({ autoscaler, clock });
      ticks += 1;
      createFailures += result.actions.createFailed;
      // A deficit is open while placed sessions + free standby fall short of what maxInstances allows.
      const runningCores = fake.instances().filter((instance) => instance.state === 'running').length * AGENT_CORES;
      const wantedCores = Math.min(demandAt(clock.now()) + STANDBY_CORES, MAX_INSTANCES * AGENT_CORES);
      openStreak = runningCores < wantedCores ? openStreak + 1 : 0;
      if (clock.now() < FAULTS_STOP) longestStreakWithFaults = Math.max(longestStreakWithFaults, openStreak);
      else if (clock.now() >= STEP_AFTER_FAULTS)
        longestStreakAfterFaults = Math.max(longestStreakAfterFaults, openStreak);
      await clock.advanceTo(Math.max(clock.now(), tickStart + TICK_MS));
    }
    // Wind down with no demand and no faults: everything must be collected.
    autoscaler.updateConfig(
      parseConfig({
        ...config,
        pools: [
          {
            ...config.pools[0]!,
            autoscale: [
              {
                ...config.pools[0]!.autoscale[0]!,
                standby: { cores: 0, memoryMb: 0, gpus: 0 },
                aggressiveScaling: false,
              },
            ],
          },
        ],
      }),
    );
    for (const list of sessions.values()) list.length = 0;
    queued = 0;
    for (let index = 0; index < 20; index++) {
      await driveTick({ autoscaler, clock });
      await clock.advance(TICK_MS);
    }

    const stats = fake.stats().providers.fake!;
    console.log(
      `[fault-injection] seed ${SEED}: ${ticks} ticks, ${fake.createCalls.length} create calls, ${fake.destroyCalls.length} destroy calls, ` +
        `${fake.listCalls.length} list calls, ${createFailures} failed creates, max live ${stats.maxLiveInstances}/${MAX_INSTANCES}, ` +
        `longest open deficit ${longestStreakWithFaults} ticks with faults, ${longestStreakAfterFaults} ticks after faults stopped, ` +
        `violations ${violations.length}`,
    );
    expect(violations).toEqual([]);
    expect(stats.maxLiveInstances).toBeLessThanOrEqual(MAX_INSTANCES);
    expect(maxLiveSeen).toBeLessThanOrEqual(MAX_INSTANCES);
    expect(stats.createdInstances).toBeGreaterThan(20);
    expect(createFailures).toBeGreaterThan(0);
    // Bounds: with faults, a deficit closes within 40 ticks (20 min: the 15-min failure backoff cap,
    // boot and retries); once faults stop, within 4 ticks (create, 60 s boot, report).
    expect(longestStreakWithFaults).toBeLessThanOrEqual(40);
    expect(longestStreakAfterFaults).toBeLessThanOrEqual(4);
    expect(fake.instances()).toEqual([]);
    expect(dns.records({ zone: ZONE })).toEqual([]);
    expect(await store.listInstances()).toEqual([]);
    expect(await store.listIntents({ status: 'open' })).toEqual([]);
  }, 120_000);
});
