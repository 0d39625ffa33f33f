import type { HeadroomConfig } from '../config/config-schema.js';
import type { FleetSnapshot, Instance, QueuedRequest, Session } from '../model/instance.js';
import type { ComputeProviderV1 } from '../provider/v1/compute-provider-v1.js';
import { createMemoryStateStore } from '../store/memory-state-store.js';
import type { StateStore } from '../store/state-store.js';
import { createFakeClock, type FakeClock } from '../test/create-fake-clock.js';
import { createFakeDnsProvider, type FakeDnsProvider } from '../test/create-fake-dns-provider.js';
import { createFakeProvider, type FakeProvider, type FakeProviderOptions } from '../test/create-fake-provider.js';
import { createTestConfig } from '../test/test-fixtures.js';
import type { AutoscalerEvent } from './autoscaler-events.js';
import type { Autoscaler, AutoscalerOptions, InventorySource, TickResult } from './autoscaler-types.js';
import { createAutoscaler } from './create-autoscaler.js';

export const T0 = Date.parse('2026-11-23T08:00:00Z');
export const BASE_DOMAIN = 'agents.example.com';

/** One docker-agent pool `agents`/`main` on provider `cloud`: standby 8 cores, 4-core agents, DNS under BASE_DOMAIN. */
export const reconcileConfig = (options: Parameters<typeof createTestConfig>[0] = {}): HeadroomConfig =>
  createTestConfig({ ...options, baseDomain: BASE_DOMAIN });

/**
 * A control plane that sees the fake cloud: every running instance is reported (by name) as
 * running and checked in, with the sessions the test placed on it. Instances it should not see
 * yet can be hidden.
 */
export interface FakeControlPlane extends InventorySource {
  sessions: Map<string, Session[]>;
  queued: QueuedRequest[];
  /** When false, the control plane reports nothing (a slow control plane). */
  reporting: boolean;
  /** Called on every snapshot, before it is taken (to change sessions mid-tick). */
  beforeSnapshot?: () => void;
  snapshotCount: number;
}

export function createFakeControlPlane(options: {
  provider: FakeProvider;
  clock: FakeClock;
  providerConfigId?: string;
}): FakeControlPlane {
  const providerConfigId = options.providerConfigId ?? 'cloud';
  const controlPlane: FakeControlPlane = {
    sessions: new Map(),
    queued: [],
    reporting: true,
    snapshotCount: 0,
    async getSnapshot({ now }): Promise<FleetSnapshot> {
      controlPlane.snapshotCount += 1;
      controlPlane.beforeSnapshot?.();
      const instances: Instance[] = [];
      if (controlPlane.reporting) {
        for (const instance of options.provider.instances()) {
          if (instance.state !== 'running') continue;
          instances.push({
            id: instance.name,
            pool: instance.tags['headroom-pool'] ?? '',
            autoscale: instance.tags['headroom-autoscale'] ?? '',
            provider: providerConfigId,
            state: 'running',
            checkedIn: true,
            createdAt: instance.createdAt ?? new Date(now).toISOString(),
            capacity: instance.shape ?? { cores: 0, memoryMb: 0, gpus: 0 },
            sessions: [...(controlPlane.sessions.get(instance.name) ?? [])],
          });
        }
      }
      return { at: new Date(now).toISOString(), instances, queued: [...controlPlane.queued] };
    },
  };
  return controlPlane;
}

export interface Harness {
  clock: FakeClock;
  provider: FakeProvider;
  dns: FakeDnsProvider;
  store: StateStore;
  controlPlane: FakeControlPlane;
  autoscaler: Autoscaler;
  events: AutoscalerEvent[];
  /** Runs one tick, moving the fake clock through every sleep the tick waits on. */
  tick(): Promise<TickResult>;
  /**
   * A process restart after a crash: a new autoscaler (same options) on the same store, cloud, DNS
   * and control plane. Use it after writing to the store behind the autoscaler's back, as a
   * crashed process would have left it.
   */
  restart(): Autoscaler;
}

export function createHarness(
  options: {
    config?: HeadroomConfig;
    provider?: FakeProviderOptions;
    /** Wraps the fake before the autoscaler sees it. */
    wrapProvider?: (provider: FakeProvider) => ComputeProviderV1;
    autoscaler?: Partial<AutoscalerOptions>;
    store?: StateStore;
    clock?: FakeClock;
  } = {},
): Harness {
  const clock = options.clock ?? createFakeClock({ startMs: T0 });
  const provider = createFakeProvider({ clock, providerId: 'fake', ...options.provider });
  const dns = createFakeDnsProvider({ clock, zones: [BASE_DOMAIN] });
  const store = options.store ?? createMemoryStateStore();
  const controlPlane = createFakeControlPlane({ provider, clock });
  const events: AutoscalerEvent[] = [];
  const start = () =>
    createAutoscaler({
      config: options.config ?? reconcileConfig(),
      store,
      providers: { cloud: options.wrapProvider ? options.wrapProvider(provider) : provider },
      dnsProviders: { zone: dns },
      inventory: controlPlane,
      clock,
      timers: clock,
      random: () => 0.5,
      retry: { maxAttempts: 3, initialDelayMs: 1000, maxDelayMs: 8000 },
      orphans: { mode: 'destroy', graceSeconds: 600 },
      onEvent: (event) => events.push(event),
      ...options.autoscaler,
    });
  const harness: Harness = {
    clock,
    provider,
    dns,
    store,
    controlPlane,
    autoscaler: start(),
    events,
    tick: () => driveTick({ autoscaler: harness.autoscaler, clock }),
    restart: () => {
      harness.autoscaler = start();
      return harness.autoscaler;
    },
  };
  return harness;
}

/** Runs `autoscaler.tick()` while firing the fake clock's timers until the tick settles. */
export async function driveTick(options: { autoscaler: Autoscaler; clock: FakeClock }): Promise<TickResult> {
  let settled = false;
  const promise = options.autoscaler.tick().finally(() => {
    settled = true;
  });
  for (let step = 0; !settled && step < 1_000_000; step++) {
    const fired = await options.clock.advanceToNextTimer();
    if (!fired) await new Promise((resolve) => setImmediate(resolve));
  }
  return promise;
}

let sessionSequence = 0;
export function testSession(overrides: Partial<Session> = {}): Session {
  sessionSequence += 1;
  return { id: `session-${sessionSequence}`, cores: 1, memoryMb: 1024, gpus: 0, staged: false, ...overrides };
}
