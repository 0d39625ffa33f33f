import { type Clock, systemClock, systemTimers, type Timers } from '../clock/clock.js';
import type { Resources } from '../model/resources.js';
import type { ComputeProviderV1 } from '../provider/v1/compute-provider-v1.js';
import type { ProviderInstance } from '../provider/v1/provider-v1-instance.js';
import { createSeededRandom } from '../random/create-seeded-random.js';
import { createFakeCallRunner, type FakeRateLimit } from './fake-call-runner.js';
import { createFakeCloud, type FakeCloud, type FakeCloudOptions, type FakeCloudStats } from './fake-cloud.js';
import { createFaultInjector, type FakeFault, type FakeFaultRates, type FakeOperation } from './fake-faults.js';

/** A `createInstance` call as the fake received it. */
export interface FakeCreateCall {
  name: string;
  idempotencyKey: string;
  tags: Record<string, string>;
  shape: Resources;
  startupScript?: string;
  /** Clock instant the call arrived. */
  atMs: number;
}

export interface FakeDestroyCall {
  instanceId: string;
  atMs: number;
}

export interface FakeListCall {
  tags: Record<string, string>;
  atMs: number;
}

/** Options shared by the fake compute and DNS providers. */
export interface FakeCallOptions {
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: `clock` when it also has `sleep` (a fake clock), else the system timers. */
  timers?: Timers;
  /** Latency of every call, or per operation, slept on `timers`. Default 0. */
  latencyMs?: number | ((operation: FakeOperation) => number);
  /** How long a `timeout` fault hangs before failing. Default 10 s. */
  timeoutMs?: number;
  /** Random function in [0, 1) for probabilistic faults. Default: seeded with `seed`. */
  random?: () => number;
  /** Seed of the default random function. Default 1. */
  seed?: number;
  /** Probabilistic faults, for every operation, from the start. */
  faultRates?: FakeFaultRates;
  /** API rate limit enforced on the clock: calls beyond it fail as throttled. */
  rateLimit?: FakeRateLimit;
}

export interface FakeProviderOptions extends FakeCallOptions {
  /** Default `fake`. */
  providerId?: string;
  /** Time from create to `running`, or a function drawing it per created instance. Default 0. */
  bootDelayMs?: FakeCloudOptions['bootDelayMs'];
  /** Time a destroyed instance stays listed as `stopping`. Default 0. */
  destroyDelayMs?: number;
  /** Hard cap of live instances: creates beyond it fail with InsufficientCapacityError. */
  maxInstances?: number;
  /** A cloud to share with other fakes (its own boot delay and cap apply). Default: a new one. */
  cloud?: FakeCloud;
}

/** A stateful in-memory cloud implementing ComputeProviderV1, with call records and fault injection. */
export interface FakeProvider extends ComputeProviderV1 {
  readonly cloud: FakeCloud;
  readonly createCalls: FakeCreateCall[];
  readonly destroyCalls: FakeDestroyCall[];
  readonly listCalls: FakeListCall[];
  /** One-shot: the next `createInstance` throws this error (after latency), then it is cleared. */
  nextCreateError: Error | undefined;
  /** Makes the next `count` (default 1) calls of `operation` (default `create`) fail with `fault`. */
  injectFault(options: { fault: FakeFault; operation?: 'create' | 'destroy' | 'list'; count?: number }): void;
  /** Sets probabilistic faults, drawn from the injected random function. `{}` turns them off. */
  setFaultRates(options: { rates: FakeFaultRates; operations?: readonly ('create' | 'destroy' | 'list')[] }): void;
  /** Live instances of this provider, without recording a list call. */
  instances(): ProviderInstance[];
  /** Marks an instance as failed. */
  failInstance(options: { instanceId: string }): void;
  stats(): FakeCloudStats;
  /** Calls in progress now, and the most ever at once since creation or `reset`. */
  readonly inFlightCalls: number;
  readonly maxInFlightCalls: number;
  /** Clears instances, call records, faults and counters. */
  reset(): void;
}

/** The timers of a clock that has them (a fake clock), else the system timers. */
export function timersOf(clock: Clock | undefined): Timers {
  const candidate = clock as Partial<Timers> | undefined;
  return candidate && typeof candidate.sleep === 'function' ? (candidate as Timers) : systemTimers;
}

export function createFakeProvider(options: FakeProviderOptions = {}): FakeProvider {
  const providerId = options.providerId ?? 'fake';
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? timersOf(options.clock);
  const cloud =
    options.cloud ??
    createFakeCloud({
      clock,
      ...(options.bootDelayMs !== undefined ? { bootDelayMs: options.bootDelayMs } : {}),
      ...(options.destroyDelayMs !== undefined ? { destroyDelayMs: options.destroyDelayMs } : {}),
      ...(options.maxInstances !== undefined ? { maxInstances: options.maxInstances } : {}),
    });
  const injector = createFaultInjector({ random: options.random ?? createSeededRandom(options.seed ?? 1) });
  if (options.faultRates) injector.setRates({ rates: options.faultRates, operations: ['create', 'destroy', 'list'] });
  const runner = createFakeCallRunner({
    providerId,
    clock,
    timers,
    injector,
    ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
  });

  const provider: FakeProvider = {
    specificationVersion: 'v1',
    providerId,
    cloud,
    createCalls: [],
    destroyCalls: [],
    listCalls: [],
    nextCreateError: undefined,

    createInstance(createOptions) {
      provider.createCalls.push({
        name: createOptions.name,
        idempotencyKey: createOptions.idempotencyKey,
        tags: { ...createOptions.tags },
        shape: { ...createOptions.shape },
        ...(createOptions.startupScript !== undefined ? { startupScript: createOptions.startupScript } : {}),
        atMs: clock.now(),
      });
      return runner.run({
        operation: 'create',
        abortSignal: createOptions.abortSignal,
        takeOneShotError: () => {
          const error = provider.nextCreateError;
          provider.nextCreateError = undefined;
          return error;
        },
        perform: () =>
          cloud.createInstance({
            providerId,
            name: createOptions.name,
            idempotencyKey: createOptions.idempotencyKey,
            tags: createOptions.tags,
            shape: createOptions.shape,
            ...(createOptions.startupScript !== undefined ? { startupScript: createOptions.startupScript } : {}),
          }).instance,
      });
    },

    destroyInstance(destroyOptions) {
      provider.destroyCalls.push({ instanceId: destroyOptions.instanceId, atMs: clock.now() });
      return runner.run({
        operation: 'destroy',
        abortSignal: destroyOptions.abortSignal,
        perform: () => cloud.destroyInstance({ providerId, instanceId: destroyOptions.instanceId }),
      });
    },

    listInstances(listOptions) {
      provider.listCalls.push({ tags: { ...listOptions.tags }, atMs: clock.now() });
      return runner.run({
        operation: 'list',
        abortSignal: listOptions.abortSignal,
        perform: () => cloud.listInstances({ providerId, tags: listOptions.tags }),
      });
    },

    injectFault({ fault, operation = 'create', count }) {
      injector.enqueue({ fault, operation, ...(count !== undefined ? { count } : {}) });
    },
    setFaultRates({ rates, operations = ['create', 'destroy', 'list'] }) {
      injector.setRates({ rates, operations });
    },
    instances: () => cloud.listInstances({ providerId, tags: {} }),
    failInstance: ({ instanceId }) => cloud.failInstance({ providerId, instanceId }),
    stats: () => cloud.stats(),
    get inFlightCalls() {
      return runner.inFlightCalls;
    },
    get maxInFlightCalls() {
      return runner.maxInFlightCalls;
    },
    reset() {
      cloud.reset();
      injector.clear();
      runner.reset();
      provider.createCalls.length = 0;
      provider.destroyCalls.length = 0;
      provider.listCalls.length = 0;
      provider.nextCreateError = undefined;
    },
  };
  return provider;
}
