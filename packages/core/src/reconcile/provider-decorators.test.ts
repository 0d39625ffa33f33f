import { describe, expect, test } from 'vitest';
import { InsufficientCapacityError } from '../errors/insufficient-capacity-error.js';
import { ProviderApiError } from '../errors/provider-api-error.js';
import type { ComputeProviderV1 } from '../provider/v1/compute-provider-v1.js';
import { createSeededRandom } from '../random/create-seeded-random.js';
import { createMemoryStateStore } from '../store/memory-state-store.js';
import { createFakeClock } from '../test/create-fake-clock.js';
import { createFakeDnsProvider } from '../test/create-fake-dns-provider.js';
import { createFakeProvider } from '../test/create-fake-provider.js';
import { createCallLimiter } from './call-limiter.js';
import { withDnsDryRun, withDryRun, withDryRunStore } from './with-dry-run.js';
import { withRateLimit } from './with-rate-limit.js';
import { callWithRetry, retryDelayMs, withRetry } from './with-retry.js';

const shape = { cores: 1, memoryMb: 1024, gpus: 0 };
const tags = { 'headroom-managed-by': 'headroom' };

describe('createCallLimiter / withRateLimit', () => {
  test('spaces call starts by 1 / callsPerSecond on the injected clock', async () => {
    const clock = createFakeClock({ startMs: 0 });
    const limiter = createCallLimiter({ callsPerSecond: 5, concurrency: 10, clock, timers: clock });
    const starts: number[] = [];
    const all = Promise.all(Array.from({ length: 6 }, () => limiter.run(async () => void starts.push(clock.now()))));
    await clock.advance(2000);
    await all;
    expect(starts).toEqual([0, 200, 400, 600, 800, 1000]);
  });

  test('never has more than `concurrency` calls in flight at the provider', async () => {
    const clock = createFakeClock({ startMs: 0 });
    const fake = createFakeProvider({ clock, latencyMs: 1000 });
    const provider = withRateLimit(fake, { rateLimit: { callsPerSecond: 100, concurrency: 3 }, clock, timers: clock });
    const all = Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        provider.createInstance({ name: `n${index}`, idempotencyKey: `k${index}`, tags, shape }),
      ),
    );
    await clock.advance(10_000);
    await all;
    expect(fake.maxInFlightCalls).toBe(3);
    expect(fake.instances()).toHaveLength(12);
  });

  test('keeps a provider-side rate limit from throttling', async () => {
    const clock = createFakeClock({ startMs: 0 });
    const fake = createFakeProvider({ clock, latencyMs: 300, rateLimit: { requestsPerSecond: 20, burst: 1 } });
    const provider = withRateLimit(fake, { rateLimit: { callsPerSecond: 20, concurrency: 8 }, clock, timers: clock });
    const all = Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        provider.createInstance({ name: `n${index}`, idempotencyKey: `k${index}`, tags, shape }),
      ),
    );
    await clock.advance(5000);
    await all;
    expect(fake.instances()).toHaveLength(40);
  });
});

describe('withRetry', () => {
  test('backoff caps double up to maxDelayMs and the jitter stays within [cap / 2, cap]', () => {
    const random = createSeededRandom(7);
    const caps = [100, 200, 400, 800, 1000, 1000];
    for (const [index, capMs] of caps.entries()) {
      for (let draw = 0; draw < 200; draw++) {
        const delayMs = retryDelayMs({ retry: index + 1, initialDelayMs: 100, maxDelayMs: 1000, random });
        expect(delayMs).toBeGreaterThanOrEqual(capMs / 2);
        expect(delayMs).toBeLessThanOrEqual(capMs);
      }
    }
    expect(retryDelayMs({ retry: 1, initialDelayMs: 100, maxDelayMs: 1000, random: () => 0 })).toBe(50);
    expect(retryDelayMs({ retry: 3, initialDelayMs: 100, maxDelayMs: 1000, random: () => 1 })).toBe(400);
  });

  test('retries throttling with the same idempotency key, waiting the jittered delays', async () => {
    const clock = createFakeClock({ startMs: 0 });
    const fake = createFakeProvider({ clock });
    fake.injectFault({ fault: 'throttled', operation: 'create', count: 2 });
    const waits: number[] = [];
    const provider = withRetry(fake, {
      retry: { maxAttempts: 4, initialDelayMs: 1000, maxDelayMs: 10_000 },
      timers: clock,
      random: createSeededRandom(3),
      onRetry: ({ delayMs }) => waits.push(delayMs),
    });
    const created = provider.createInstance({ name: 'n', idempotencyKey: 'k', tags, shape });
    await clock.advance(10_000);
    const instance = await created;
    expect(fake.createCalls.map((call) => call.idempotencyKey)).toEqual(['k', 'k', 'k']);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(500);
    expect(waits[0]).toBeLessThanOrEqual(1000);
    expect(waits[1]).toBeGreaterThanOrEqual(1000);
    expect(waits[1]).toBeLessThanOrEqual(2000);
    expect(fake.instances().map((candidate) => candidate.instanceId)).toEqual([instance.instanceId]);
  });

  test('does not retry errors that are not retryable, and gives up after maxAttempts', async () => {
    const clock = createFakeClock({ startMs: 0 });
    let calls = 0;
    await expect(
      callWithRetry(
        { method: 'x', retry: { maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 10 }, timers: clock, random: () => 0 },
        async () => {
          calls += 1;
          throw new InsufficientCapacityError({ providerId: 'fake', message: 'full' });
        },
      ),
    ).rejects.toThrow(/full/);
    expect(calls).toBe(1);

    calls = 0;
    const failing = callWithRetry(
      { method: 'x', retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 10 }, timers: clock, random: () => 0 },
      async () => {
        calls += 1;
        throw new ProviderApiError({ providerId: 'fake', statusCode: 503, message: 'unavailable' });
      },
    );
    const settled = failing.catch((error: unknown) => error);
    await clock.advance(1000);
    expect(ProviderApiError.isInstance(await settled)).toBe(true);
    expect(calls).toBe(3);
  });
});

describe('withDryRun', () => {
  test('never reaches the mutating calls of the provider, the DNS provider or the store', async () => {
    const clock = createFakeClock({ startMs: 0 });
    const forbidden = () => {
      throw new Error('mutating call reached the real provider');
    };
    const real = createFakeProvider({ clock });
    real.cloud.createInstance({ providerId: 'fake', name: 'existing', idempotencyKey: 'e', tags, shape });
    const guarded: ComputeProviderV1 = {
      specificationVersion: 'v1',
      providerId: 'fake',
      createInstance: forbidden,
      destroyInstance: forbidden,
      listInstances: (options) => real.listInstances(options),
    };
    const provider = withDryRun(guarded, { clock });
    const created = await provider.createInstance({
      name: 'new',
      idempotencyKey: 'k',
      tags: { ...tags, 'headroom-intent': 'k' },
      shape,
    });
    expect(created.instanceId).toBe('dry-run-new');
    const existing = real.instances()[0]!;
    await provider.destroyInstance({ instanceId: existing.instanceId });
    expect((await provider.listInstances({ tags })).map((instance) => instance.name)).toEqual(['new']);
    expect(real.instances()).toHaveLength(1);

    const dnsReal = createFakeDnsProvider({ clock });
    await dnsReal.upsertRecord({
      zone: 'z.example',
      name: 'a.z.example',
      type: 'A',
      value: '127.0.0.2',
      ttlSeconds: 60,
    });
    const dns = withDnsDryRun({
      specificationVersion: 'v1',
      providerId: 'fake-dns',
      upsertRecord: forbidden,
      deleteRecord: forbidden,
      listRecords: (options) => dnsReal.listRecords(options),
    });
    await dns.deleteRecord({ zone: 'z.example', name: 'a.z.example', type: 'A' });
    await dns.upsertRecord({ zone: 'z.example', name: 'b.z.example', type: 'A', value: '127.0.0.3', ttlSeconds: 60 });
    expect((await dns.listRecords({ zone: 'z.example' })).map((record) => record.name)).toEqual(['b.z.example']);
    expect(dnsReal.records({ zone: 'z.example' }).map((record) => record.name)).toEqual(['a.z.example']);

    const store = createMemoryStateStore();
    await store.putPlannerState({ epoch: 1, state: { autoscale: {} } });
    const dryStore = withDryRunStore(store);
    await dryStore.putInstance({
      epoch: 1,
      instance: {
        id: 'x',
        pool: 'p',
        autoscale: 'a',
        provider: 'c',
        state: 'requested',
        shape,
        createdAt: '2026-01-01T00:00:00Z',
        intentKey: 'k',
      },
    });
    expect(await dryStore.listInstances()).toHaveLength(1);
    expect(await store.listInstances()).toHaveLength(0);
  });
});
