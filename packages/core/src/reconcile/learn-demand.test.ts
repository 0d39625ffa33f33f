import { describe, expect, test } from 'vitest';
import type { DemandGrowthProfile } from '../planner/demand-growth-profile.js';
import { createMemoryStateStore } from '../store/memory-state-store.js';
import type { DemandSampleRecord, StateStore } from '../store/state-store.js';
import type { AutoscalerEvent } from './autoscaler-events.js';
import type { TickResult } from './autoscaler-types.js';
import { createHarness, reconcileConfig, T0 } from './reconcile-fixtures.test-helpers.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const WEEK_MS = 7 * 24 * HOUR_MS;

/** `agents/main` learning from history: growth over 120 s, every observation counts (quantile 1), 3 make a slot. */
const historyConfig = (predictiveStandby: Record<string, unknown> = {}) =>
  reconcileConfig({
    autoscale: {
      predictiveStandby: {
        quantile: 1,
        horizonSeconds: 120,
        confidenceFloor: 3,
        learnFrom: 'history',
        ...predictiveStandby,
      },
    },
  });

/** A recorded hour of pool `agents` from `hourStartMs`: demand grows by 10 cores a minute (20 within 120 s). */
async function seedGrowingHour(store: StateStore, hourStartMs: number): Promise<void> {
  const samples: DemandSampleRecord[] = Array.from({ length: 60 }, (_, minute) => ({
    pool: 'agents',
    atMs: hourStartMs + minute * MINUTE_MS,
    cores: minute * 10,
    memoryMb: 0,
    gpus: 0,
  }));
  await store.putDemandSamples({ epoch: 1, samples });
}

const learntEvents = (events: readonly AutoscalerEvent[]) =>
  events.filter(
    (event): event is Extract<AutoscalerEvent, { type: 'demand-profile-learnt' }> =>
      event.type === 'demand-profile-learnt',
  );
const reasonsOf = (result: TickResult) => result.plan?.configs[0]?.reasons ?? [];
const predictiveReason = (result: TickResult) => reasonsOf(result).find((reason) => reason.startsWith('predictive'));

/** A store whose demand-sample calls fail while `failing` is set. */
function createFlakyStore(): StateStore & { failing: boolean } {
  const store = createMemoryStateStore();
  const flaky = {
    ...store,
    failing: false,
    async putDemandSamples(options: Parameters<StateStore['putDemandSamples']>[0]) {
      if (flaky.failing) throw new Error('disk I/O error');
      return store.putDemandSamples(options);
    },
    async listDemandSamples(options: Parameters<StateStore['listDemandSamples']>[0]) {
      if (flaky.failing) throw new Error('disk I/O error');
      return store.listDemandSamples(options);
    },
  };
  return flaky;
}

describe('learn demand (predictiveStandby.learnFrom: history)', () => {
  test('records one sample per pool a minute, not every tick, measured from the merged snapshot', async () => {
    const harness = createHarness({ config: historyConfig() });
    harness.controlPlane.queued = [
      { pool: 'agents', cores: 2, memoryMb: 1024, gpus: 0, since: new Date(T0).toISOString() },
    ];
    for (let tick = 0; tick < 7; tick++) {
      if (tick > 0) await harness.clock.advance(30_000);
      await harness.tick();
    }
    const samples = await harness.store.listDemandSamples({ pool: 'agents', fromMs: 0 });
    // Seven ticks 30 s apart (each a little later: its creates wait on the rate limit): four samples.
    expect(samples).toHaveLength(4);
    const gapsMs = samples.slice(1).map((sample, index) => sample.atMs - samples[index]!.atMs);
    for (const gapMs of gapsMs) expect(gapMs).toBeGreaterThanOrEqual(60_000);
    for (const gapMs of gapsMs) expect(gapMs).toBeLessThan(90_000);
    expect(samples[0]).toEqual({ pool: 'agents', atMs: T0, cores: 2, memoryMb: 1024, gpus: 0 });
  });

  test('recording samples does not make the next tick verify fully', async () => {
    const harness = createHarness({ config: historyConfig(), autoscaler: { fullVerificationIntervalSeconds: 3600 } });
    for (let tick = 0; tick < 6; tick++) {
      await harness.clock.advance(30_000);
      await harness.tick();
    }
    harness.events.length = 0;
    for (let tick = 0; tick < 6; tick++) {
      await harness.clock.advance(30_000);
      expect((await harness.tick()).actions.created).toEqual([]);
    }
    expect((await harness.store.listDemandSamples({ pool: 'agents', fromMs: 0 })).length).toBeGreaterThanOrEqual(5);
    const dnsLists = harness.events.filter((event) => event.type === 'provider-call' && event.method === 'listRecords');
    expect(dnsLists).toEqual([]);
  });

  test('a config without learnFrom history records nothing', async () => {
    const harness = createHarness({ config: historyConfig({ learnFrom: 'trace' }) });
    await harness.tick();
    expect(await harness.store.listDemandSamples({ pool: 'agents', fromMs: 0 })).toEqual([]);
    expect(learntEvents(harness.events)).toEqual([]);
  });

  test('learns at once, then once an hour: the plan stands on the learnt growth', async () => {
    const harness = createHarness({ config: historyConfig() });
    const first = await harness.tick();
    expect(learntEvents(harness.events)).toEqual([
      expect.objectContaining({ pool: 'agents', autoscale: 'main', samples: 1, confidentHourOfWeekSlots: 0 }),
    ]);
    expect(predictiveReason(first)).toMatch(/too few observations for Mon 08:00 UTC; static standby 8 cores/);
    expect(first.plan?.configs[0]?.predictedStandby).toBeUndefined();

    // Last week's 09:00 hour, as a service running then would have recorded it.
    await seedGrowingHour(harness.store, T0 + HOUR_MS - WEEK_MS);
    for (let minute = 5; minute < 60; minute += 5) {
      await harness.clock.advance(5 * MINUTE_MS);
      await harness.tick();
    }
    expect(learntEvents(harness.events)).toHaveLength(1);

    await harness.clock.advance(5 * MINUTE_MS);
    const learnt = await harness.tick();
    // 60 seeded samples and the 13 the ticks recorded (one each 5 minutes from 08:00 to 09:00).
    expect(learntEvents(harness.events)[1]).toMatchObject({ samples: 73, horizonSeconds: 120 });
    expect(learntEvents(harness.events)[1]!.confidentHourOfWeekSlots).toBeGreaterThanOrEqual(1);
    expect(learnt.plan?.configs[0]?.predictedStandby).toEqual({ cores: 20, memoryMb: 0, gpus: 0 });
    expect(predictiveReason(learnt)).toBe(
      'predictive standby: learnt growth within 120 s for Mon 09:00 UTC is 20 cores, 0 MiB, 0 GPUs (quantile 1); static 8 cores, 0 MiB, 0 GPUs; standby 20 cores, 0 MiB, 0 GPUs',
    );
    // 20 free cores on 4-core agents.
    expect(learnt.plan?.configs[0]?.create).toBe(3);
  });

  test('a new config relearns at once', async () => {
    const harness = createHarness({ config: historyConfig() });
    await harness.tick();
    await seedGrowingHour(harness.store, T0 - WEEK_MS);
    await harness.clock.advance(30_000);
    await harness.tick();
    expect(learntEvents(harness.events)).toHaveLength(1);
    harness.autoscaler.updateConfig(historyConfig({ quantile: 0.5 }));
    await harness.clock.advance(30_000);
    const result = await harness.tick();
    expect(learntEvents(harness.events)).toHaveLength(2);
    expect(predictiveReason(result)).toMatch(/learnt growth within 120 s for Mon 08:00 UTC is 20 cores.*quantile 0.5/);
  });

  test('the host’s profile wins over the learnt one for its config', async () => {
    const hostProfile: DemandGrowthProfile = {
      hourOfWeek: Array.from({ length: 168 }, () => ({ cores: 40, memoryMb: 0, gpus: 0 })),
      hourOfDay: Array.from({ length: 24 }, () => undefined),
      horizonMs: 60_000,
    };
    const store = createMemoryStateStore();
    await seedGrowingHour(store, T0 - WEEK_MS);
    const harness = createHarness({
      config: historyConfig(),
      store,
      autoscaler: { demandProfiles: () => ({ 'agents/main': hostProfile }) },
    });
    const result = await harness.tick();
    expect(learntEvents(harness.events)).toHaveLength(1);
    expect(result.plan?.configs[0]?.predictedStandby).toEqual({ cores: 40, memoryMb: 0, gpus: 0 });
    expect(predictiveReason(result)).toMatch(/learnt growth within 60 s for Mon 08:00 UTC is 40 cores/);
  });

  test('a store failure is a tick error of scope store; the plan keeps what was learnt before', async () => {
    const store = createFlakyStore();
    await seedGrowingHour(store, T0 - WEEK_MS);
    await seedGrowingHour(store, T0 + HOUR_MS - WEEK_MS);
    const harness = createHarness({ config: historyConfig(), store });
    const first = await harness.tick();
    expect(first.errors).toEqual([]);
    expect(predictiveReason(first)).toMatch(/Mon 08:00 UTC is 20 cores/);

    store.failing = true;
    await harness.clock.advance(HOUR_MS);
    const failed = await harness.tick();
    expect(failed.errors.map((error) => error.scope)).toEqual(['store', 'store']);
    expect(failed.errors[0]!.message).toContain('disk I/O error');
    expect(failed.plan?.configs[0]?.predictedStandby).toEqual({ cores: 20, memoryMb: 0, gpus: 0 });
    expect(predictiveReason(failed)).toMatch(/Mon 09:00 UTC is 20 cores/);
    expect(learntEvents(harness.events)).toHaveLength(1);

    // Once the store answers again, the missed sample and learning happen on the next tick.
    store.failing = false;
    await harness.clock.advance(30_000);
    expect((await harness.tick()).errors).toEqual([]);
    expect(learntEvents(harness.events)).toHaveLength(2);
  });

  test('samples older than historyDays are deleted, at most once a day', async () => {
    const store = createMemoryStateStore();
    const sample = (atMs: number): DemandSampleRecord => ({ pool: 'agents', atMs, cores: 1, memoryMb: 0, gpus: 0 });
    await store.putDemandSamples({ epoch: 1, samples: [sample(T0 - 2 * 24 * HOUR_MS), sample(T0 - 12 * HOUR_MS)] });
    const harness = createHarness({ config: historyConfig({ historyDays: 1 }), store });
    const instants = async () => (await store.listDemandSamples({ pool: 'agents', fromMs: 0 })).map((s) => s.atMs);
    await harness.tick();
    expect(await instants()).toEqual([T0 - 12 * HOUR_MS, T0]);

    await store.putDemandSamples({ epoch: 1, samples: [sample(T0 - 3 * 24 * HOUR_MS)] });
    await harness.clock.advance(30_000);
    await harness.tick();
    expect(await instants()).toContain(T0 - 3 * 24 * HOUR_MS);

    await harness.clock.advance(24 * HOUR_MS);
    await harness.tick();
    expect(await instants()).not.toContain(T0 - 3 * 24 * HOUR_MS);
    expect(await instants()).not.toContain(T0 - 12 * HOUR_MS);
  });

  test('a dry run records nothing in the real store, yet learns from it', async () => {
    const store = createMemoryStateStore();
    await seedGrowingHour(store, T0 - WEEK_MS);
    const harness = createHarness({ config: historyConfig(), store, autoscaler: { dryRun: true } });
    const result = await harness.tick();
    expect(predictiveReason(result)).toMatch(/Mon 08:00 UTC is 20 cores/);
    expect(await store.listDemandSamples({ pool: 'agents', fromMs: T0 })).toEqual([]);
  });
});
