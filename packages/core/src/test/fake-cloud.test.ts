import { describe, expect, test } from 'vitest';
import { HEADROOM_TAGS } from '../provider/tags.js';
import { createFakeClock } from './create-fake-clock.js';
import { createFakeCloud } from './fake-cloud.js';

const input = (key: string) => ({
  providerId: 'fake',
  name: key,
  idempotencyKey: key,
  shape: { cores: 1, memoryMb: 1024, gpus: 0 },
  tags: { [HEADROOM_TAGS.pool]: 'p', [HEADROOM_TAGS.intent]: key },
});

describe('createFakeCloud snapshots', () => {
  test('a cloud loaded from a snapshot keeps instances, keys, records and counters consistent', async () => {
    const clock = createFakeClock({ startMs: 1_000 });
    const cloud = createFakeCloud({ clock, destroyDelayMs: 100 });
    const first = cloud.createInstance(input('a')).instance;
    cloud.createInstance(input('b'));
    cloud.destroyInstance({ providerId: 'fake', instanceId: first.instanceId });
    cloud.upsertRecord({ zone: 'z.test', name: 'a.z.test', type: 'A', value: '127.0.0.1', ttlSeconds: 5 });
    const snapshot = JSON.parse(JSON.stringify(cloud.snapshot()));

    await clock.advance(100);
    const restored = createFakeCloud({ clock, destroyDelayMs: 100, snapshot });
    expect(restored.listInstances({ providerId: 'fake', tags: {} }).map((instance) => instance.name)).toEqual(['b']);
    expect(restored.stats().providers.fake).toEqual({
      liveInstances: 1,
      maxLiveInstances: 2,
      createdInstances: 2,
      destroyedInstances: 1,
    });
    expect(restored.createInstance(input('a')).created).toBe(false);
    const third = restored.createInstance(input('c')).instance;
    expect(third.instanceId).toBe('fake-00000003');
    expect(third.privateAddress).toBe('127.0.0.3');
    expect(restored.listRecords({ zone: 'z.test' })).toHaveLength(1);
    expect(restored.stats().pools['fake/p']).toMatchObject({ liveInstances: 2, maxLiveInstances: 2 });
  });
});

describe('createFakeCloud boot delay per instance', () => {
  test('a bootDelayMs function is drawn once per instance and decides when each one runs', async () => {
    const clock = createFakeClock({ startMs: 0 });
    const seen: string[] = [];
    const cloud = createFakeCloud({
      clock,
      bootDelayMs: (instance) => {
        seen.push(instance.name);
        return instance.name === 'slow' ? 5_000 : 1_000;
      },
    });
    cloud.createInstance(input('fast'));
    cloud.createInstance(input('slow'));
    const states = () =>
      Object.fromEntries(
        cloud.listInstances({ providerId: 'fake', tags: {} }).map((instance) => [instance.name, instance.state]),
      );
    expect(states()).toEqual({ fast: 'pending', slow: 'pending' });
    await clock.advance(1_000);
    expect(states()).toEqual({ fast: 'running', slow: 'pending' });
    await clock.advance(4_000);
    expect(states()).toEqual({ fast: 'running', slow: 'running' });
    expect(seen).toEqual(['fast', 'slow']);
    expect(cloud.snapshot().instances.map((record) => record.bootDelayMs)).toEqual([1_000, 5_000]);
  });
});
