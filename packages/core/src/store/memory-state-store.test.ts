import { describe, expect, test } from 'vitest';
import { FencedWriteError } from '../errors/fenced-write-error.js';
import { createMemoryStateStore, createSingleProcessLeaderElector } from './memory-state-store.js';

describe('createMemoryStateStore', () => {
  test('refuses every call after close', async () => {
    const store = createMemoryStateStore();
    await store.init();
    await store.close();
    await expect(store.listIntents()).rejects.toThrow(/closed/);
    await expect(store.putPlannerState({ epoch: 1, state: { autoscale: {} } })).rejects.toThrow(/closed/);
  });

  test('the fenced error carries both epochs', async () => {
    const store = createMemoryStateStore();
    await store.deleteInstance({ epoch: 9, id: 'none' });
    const error = await store.deleteInstance({ epoch: 8, id: 'none' }).catch((caught: unknown) => caught);
    expect(FencedWriteError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ epoch: 8, currentEpoch: 9 });
  });
});

describe('createSingleProcessLeaderElector', () => {
  test('always grants epoch 1 and reports the leader until released', async () => {
    const elector = createSingleProcessLeaderElector({ holderId: 'replica-a' });
    expect(await elector.currentLeader()).toBeNull();
    expect(await elector.acquire()).toEqual({ holderId: 'replica-a', epoch: 1 });
    expect(await elector.acquire()).toEqual({ holderId: 'replica-a', epoch: 1 });
    expect(await elector.currentLeader()).toEqual({ holderId: 'replica-a', epoch: 1 });
    await elector.release();
    expect(await elector.currentLeader()).toBeNull();
  });
});
