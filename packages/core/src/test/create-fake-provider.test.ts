import { describe, expect, test } from 'vitest';
import { InsufficientCapacityError } from '../errors/insufficient-capacity-error.js';
import { InvalidProviderConfigError } from '../errors/invalid-provider-config-error.js';
import { ProviderApiError } from '../errors/provider-api-error.js';
import { QuotaExceededError } from '../errors/quota-exceeded-error.js';
import { HEADROOM_TAGS } from '../provider/tags.js';
import { createSeededRandom } from '../random/create-seeded-random.js';
import { createFakeClock } from './create-fake-clock.js';
import { createFakeDnsProvider } from './create-fake-dns-provider.js';
import { createFakeProvider } from './create-fake-provider.js';
import { fakeAddress } from './fake-cloud.js';
import { expectRejection } from './test-fixtures.js';

const shape = { cores: 4, memoryMb: 8192, gpus: 0 };
let keyCounter = 0;
const request = (pool = 'linux', overrides: { idempotencyKey?: string } = {}) => {
  keyCounter += 1;
  const idempotencyKey = overrides.idempotencyKey ?? `key-${keyCounter}`;
  return {
    name: `agent-${keyCounter}`,
    idempotencyKey,
    shape,
    tags: {
      [HEADROOM_TAGS.managedBy]: 'test',
      [HEADROOM_TAGS.pool]: pool,
      [HEADROOM_TAGS.autoscale]: 'default',
      [HEADROOM_TAGS.intent]: idempotencyKey,
    },
  };
};

describe('createFakeProvider', () => {
  test('instances boot after bootDelayMs on the injected clock and get loopback-style addresses', async () => {
    const clock = createFakeClock({ startMs: Date.parse('2026-11-22T10:00:00Z') });
    const provider = createFakeProvider({ clock, bootDelayMs: 30_000 });
    const instance = await provider.createInstance(request());
    expect(instance).toMatchObject({
      state: 'pending',
      privateAddress: '127.0.0.1',
      createdAt: '2026-11-22T10:00:00.000Z',
      shape,
    });
    await clock.advance(29_999);
    expect((await provider.listInstances({ tags: {} }))[0]?.state).toBe('pending');
    await clock.advance(1);
    expect((await provider.listInstances({ tags: {} }))[0]?.state).toBe('running');
    expect(fakeAddress(254)).toBe('127.0.0.254');
    expect(fakeAddress(255)).toBe('127.0.1.1');
    expect(fakeAddress(254 * 256 + 1)).toBe('127.1.0.1');
  });

  test('latency is slept on the injected timers', async () => {
    const clock = createFakeClock();
    const provider = createFakeProvider({ clock, latencyMs: 300 });
    let resolved = false;
    const creating = provider.createInstance(request()).then((instance) => {
      resolved = true;
      return instance;
    });
    await clock.advance(299);
    expect(resolved).toBe(false);
    expect(provider.inFlightCalls).toBe(1);
    await clock.advance(1);
    expect(resolved).toBe(true);
    expect((await creating).createdAt).toBe(new Date(300).toISOString());
    expect(provider.inFlightCalls).toBe(0);
  });

  test('records calls and tracks the most concurrent calls', async () => {
    const clock = createFakeClock();
    const provider = createFakeProvider({ clock, latencyMs: 10 });
    const calls = [
      provider.createInstance(request()),
      provider.createInstance(request()),
      provider.listInstances({ tags: {} }),
    ];
    await clock.advance(10);
    await Promise.all(calls);
    expect(provider.maxInFlightCalls).toBe(3);
    expect(provider.createCalls.map((call) => call.atMs)).toEqual([0, 0]);
    expect(provider.listCalls).toEqual([{ tags: {}, atMs: 0 }]);
  });

  test('create is idempotent by key, also after a destroy', async () => {
    const provider = createFakeProvider();
    const options = request();
    const first = await provider.createInstance(options);
    const second = await provider.createInstance(options);
    expect(second.instanceId).toBe(first.instanceId);
    expect(provider.instances()).toHaveLength(1);
    await provider.destroyInstance({ instanceId: first.instanceId });
    const third = await provider.createInstance(options);
    expect(third.instanceId).toBe(first.instanceId);
    expect(third.state).toBe('stopping');
    expect(provider.instances()).toHaveLength(0);
  });

  test('the hard capacity cap refuses creates with InsufficientCapacityError and counts stopping instances', async () => {
    const clock = createFakeClock();
    const provider = createFakeProvider({ clock, maxInstances: 2, destroyDelayMs: 1_000 });
    const first = await provider.createInstance(request());
    await provider.createInstance(request());
    expect(InsufficientCapacityError.isInstance(await expectRejection(provider.createInstance(request())))).toBe(true);
    await provider.destroyInstance({ instanceId: first.instanceId });
    expect(provider.instances().find((instance) => instance.instanceId === first.instanceId)?.state).toBe('stopping');
    expect(InsufficientCapacityError.isInstance(await expectRejection(provider.createInstance(request())))).toBe(true);
    await clock.advance(1_000);
    await provider.createInstance(request());
    expect(provider.stats().providers.fake).toEqual({
      liveInstances: 2,
      maxLiveInstances: 2,
      createdInstances: 3,
      destroyedInstances: 1,
    });
  });

  test('stats keep the highest number of live instances per pool', async () => {
    const provider = createFakeProvider();
    const a = await provider.createInstance(request('a'));
    await provider.createInstance(request('a'));
    await provider.createInstance(request('b'));
    await provider.destroyInstance({ instanceId: a.instanceId });
    const stats = provider.stats();
    expect(stats.pools['fake/a']).toMatchObject({ liveInstances: 1, maxLiveInstances: 2 });
    expect(stats.pools['fake/b']).toMatchObject({ liveInstances: 1, maxLiveInstances: 1 });
    expect(stats.providers.fake).toMatchObject({ liveInstances: 2, maxLiveInstances: 3 });
  });

  test('one-shot faults surface as typed errors and hit only the next call of their operation', async () => {
    const provider = createFakeProvider();
    provider.injectFault({ fault: 'quota-exceeded' });
    provider.injectFault({ fault: 'throttled', operation: 'list', count: 2 });
    provider.injectFault({ fault: 'server-error', operation: 'destroy' });
    expect(QuotaExceededError.isInstance(await expectRejection(provider.createInstance(request())))).toBe(true);
    const throttled = await expectRejection(provider.listInstances({ tags: {} }));
    expect(ProviderApiError.isInstance(throttled) && throttled.statusCode === 429 && throttled.isRetryable).toBe(true);
    expect(ProviderApiError.isInstance(await expectRejection(provider.listInstances({ tags: {} })))).toBe(true);
    expect(await provider.listInstances({ tags: {} })).toEqual([]);
    const created = await provider.createInstance(request());
    const serverError = await expectRejection(provider.destroyInstance({ instanceId: created.instanceId }));
    expect(ProviderApiError.isInstance(serverError) && serverError.statusCode === 500).toBe(true);
    expect(provider.instances()).toHaveLength(1);
    expect(() => provider.injectFault({ fault: 'insufficient-capacity', operation: 'list' })).toThrow(TypeError);
  });

  test('nextCreateError is thrown once', async () => {
    const provider = createFakeProvider();
    provider.nextCreateError = new InvalidProviderConfigError({ providerId: 'fake', field: 'image', message: 'bad' });
    expect(InvalidProviderConfigError.isInstance(await expectRejection(provider.createInstance(request())))).toBe(true);
    expect(provider.nextCreateError).toBeUndefined();
    await provider.createInstance(request());
  });

  test('a lost response creates the instance but reports a retryable error; the retry finds it', async () => {
    const provider = createFakeProvider();
    provider.injectFault({ fault: 'response-lost' });
    const options = request();
    const error = await expectRejection(provider.createInstance(options));
    expect(ProviderApiError.isInstance(error) && error.isRetryable && error.code === 'ResponseLost').toBe(true);
    const listed = await provider.listInstances({ tags: { [HEADROOM_TAGS.intent]: options.idempotencyKey } });
    expect(listed).toHaveLength(1);
    expect((await provider.createInstance(options)).instanceId).toBe(listed[0]?.instanceId);
  });

  test('a timeout hangs for timeoutMs on the clock, then fails retryably without creating', async () => {
    const clock = createFakeClock();
    const provider = createFakeProvider({ clock, timeoutMs: 5_000 });
    provider.injectFault({ fault: 'timeout' });
    let settled = false;
    const creating = expectRejection(provider.createInstance(request())).finally(() => {
      settled = true;
    });
    await clock.advance(4_999);
    expect(settled).toBe(false);
    await clock.advance(1);
    const error = await creating;
    expect(ProviderApiError.isInstance(error) && error.isRetryable && error.code === 'RequestTimeout').toBe(true);
    expect(provider.instances()).toEqual([]);
  });

  test('probabilistic faults follow the seeded random function and are reproducible', async () => {
    const outcomes = async (seed: number) => {
      const provider = createFakeProvider({
        random: createSeededRandom(seed),
        faultRates: { throttled: 0.2, 'server-error': 0.1, 'insufficient-capacity': 0.1 },
      });
      const results: string[] = [];
      for (let index = 0; index < 200; index++) {
        try {
          await provider.createInstance(request());
          results.push('ok');
        } catch (error) {
          results.push((error as Error).name + ((error as ProviderApiError).statusCode ?? ''));
        }
      }
      return results;
    };
    const first = await outcomes(7);
    expect(await outcomes(7)).toEqual(first);
    expect(await outcomes(8)).not.toEqual(first);
    const failures = first.filter((outcome) => outcome !== 'ok').length;
    expect(failures).toBeGreaterThan(40);
    expect(failures).toBeLessThan(120);
    expect(new Set(first)).toEqual(
      new Set(['ok', 'ProviderApiError429', 'ProviderApiError500', 'InsufficientCapacityError']),
    );
  });

  test('the rate limit throttles calls beyond the bucket and refills on the clock', async () => {
    const clock = createFakeClock();
    const provider = createFakeProvider({ clock, rateLimit: { requestsPerSecond: 2 } });
    await provider.listInstances({ tags: {} });
    await provider.listInstances({ tags: {} });
    const error = await expectRejection(provider.listInstances({ tags: {} }));
    expect(ProviderApiError.isInstance(error) && error.statusCode === 429).toBe(true);
    await clock.advance(500);
    await provider.listInstances({ tags: {} });
    expect(ProviderApiError.isInstance(await expectRejection(provider.listInstances({ tags: {} })))).toBe(true);
  });

  test('an abort during latency rejects with the reason and performs nothing', async () => {
    const clock = createFakeClock();
    const provider = createFakeProvider({ clock, latencyMs: 100 });
    const controller = new AbortController();
    const creating = provider.createInstance({ ...request(), abortSignal: controller.signal });
    await clock.advance(50);
    controller.abort(new Error('cancelled'));
    await expect(creating).rejects.toThrow('cancelled');
    await clock.advance(100);
    expect(provider.instances()).toEqual([]);
  });

  test('failInstance marks an instance failed; reset forgets everything', async () => {
    const provider = createFakeProvider();
    const instance = await provider.createInstance(request());
    provider.failInstance({ instanceId: instance.instanceId });
    expect(provider.instances()[0]?.state).toBe('failed');
    provider.injectFault({ fault: 'throttled' });
    provider.reset();
    expect(provider.instances()).toEqual([]);
    expect(provider.createCalls).toEqual([]);
    expect(provider.stats().providers).toEqual({});
    const again = await provider.createInstance(request());
    expect(again.instanceId).toBe('fake-00000001');
  });

  test('two providers can share one cloud without seeing each other', async () => {
    const first = createFakeProvider({ providerId: 'east' });
    const second = createFakeProvider({ providerId: 'west', cloud: first.cloud });
    await first.createInstance(request());
    await second.createInstance(request());
    expect(await first.listInstances({ tags: {} })).toHaveLength(1);
    expect(Object.keys(first.stats().providers).sort()).toEqual(['east', 'west']);
  });
});

describe('createFakeDnsProvider', () => {
  test('stores records per zone, records calls and refuses names outside the zone', async () => {
    const dns = createFakeDnsProvider({ zones: ['agents.example.test'] });
    await dns.upsertRecord({
      zone: 'agents.example.test',
      name: 'a.agents.example.test',
      type: 'A',
      value: '127.0.0.1',
      ttlSeconds: 60,
    });
    expect(dns.records({ zone: 'agents.example.test' })).toHaveLength(1);
    expect(dns.upsertCalls).toHaveLength(1);
    const outside = await expectRejection(
      dns.upsertRecord({
        zone: 'agents.example.test',
        name: 'a.other.test',
        type: 'A',
        value: '127.0.0.1',
        ttlSeconds: 60,
      }),
    );
    expect(InvalidProviderConfigError.isInstance(outside)).toBe(true);
    expect(InvalidProviderConfigError.isInstance(await expectRejection(dns.listRecords({ zone: 'other.test' })))).toBe(
      true,
    );
  });

  test('injects faults per operation, including lost responses that still apply the change', async () => {
    const dns = createFakeDnsProvider();
    dns.injectFault({ fault: 'response-lost', operation: 'upsert' });
    dns.injectFault({ fault: 'throttled', operation: 'delete' });
    const record = { zone: 'example.test', name: 'x.example.test', type: 'A' as const };
    const lost = await expectRejection(dns.upsertRecord({ ...record, value: '127.0.0.2', ttlSeconds: 30 }));
    expect(ProviderApiError.isInstance(lost) && lost.isRetryable).toBe(true);
    expect(await dns.listRecords({ zone: 'example.test' })).toEqual([
      { ...record, value: '127.0.0.2', ttlSeconds: 30 },
    ]);
    expect(ProviderApiError.isInstance(await expectRejection(dns.deleteRecord(record)))).toBe(true);
    await dns.deleteRecord(record);
    expect(dns.records({ zone: 'example.test' })).toEqual([]);
    expect(() => dns.injectFault({ fault: 'quota-exceeded', operation: 'upsert' })).toThrow(TypeError);
  });
});
