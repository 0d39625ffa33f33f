import { describe, expect, test } from 'vitest';
import { BILLING_PER_SECOND } from '../cloud-model.js';
import { computeOracle } from './compute-oracle.js';
import { paretoFront } from './pareto-front.js';
import { createResultsRecorder, type FleetSample } from './results-recorder.js';

const hour = 3_600_000;
const none = { cores: 0, memoryMb: 0, gpus: 0 };

function sample(overrides: Partial<FleetSample> & { atMs: number }): FleetSample {
  return {
    instancesByState: {},
    capacity: none,
    demand: none,
    used: none,
    sessionsRunning: 0,
    sessionsWaiting: 0,
    idleInstances: 0,
    ...overrides,
  };
}

describe('createResultsRecorder', () => {
  test('hand-computed cost, thrash, waits, idle capacity and cost per day', () => {
    const recorder = createResultsRecorder({
      startMs: 0,
      endMs: 48 * hour,
      autoscale: [{ id: 'a', pricePerInstanceHour: 1, billing: BILLING_PER_SECOND, downscaleBackoffSeconds: 600 }],
    });
    recorder.instanceCreated({ instanceId: 'i1', autoscaleId: 'a', atMs: 0 });
    recorder.fleet(sample({ atMs: 0, instancesByState: { starting: 1 } }));
    recorder.instanceRunning({ instanceId: 'i1', atMs: 60_000 });
    const agent = { cores: 4, memoryMb: 8192, gpus: 0 };
    const session = { cores: 2, memoryMb: 2048, gpus: 0 };
    recorder.fleet(
      sample({
        atMs: 60_000,
        instancesByState: { running: 1 },
        capacity: agent,
        used: session,
        demand: session,
        sessionsRunning: 1,
      }),
    );
    recorder.sessionStarted({ waitedMs: 0 });
    recorder.instanceCreated({ instanceId: 'i2', autoscaleId: 'a', atMs: 1_000_000 });
    recorder.instanceDestroyed({ instanceId: 'i2', atMs: 1_300_000, reason: 'scale-down' });
    recorder.fleet(sample({ atMs: 1_800_000, instancesByState: { running: 1 }, capacity: agent, idleInstances: 1 }));
    recorder.instanceDestroyed({ instanceId: 'i1', atMs: hour, reason: 'scale-down' });
    recorder.fleet(sample({ atMs: hour }));
    recorder.instanceCreated({ instanceId: 'i4', autoscaleId: 'a', atMs: 5_000_000 });
    recorder.instanceDestroyed({ instanceId: 'i4', atMs: 5_030_000, reason: 'boot-failure' });
    recorder.instanceCreated({ instanceId: 'i3', autoscaleId: 'a', atMs: 24 * hour - 1_800_000 });
    recorder.sessionStarted({ waitedMs: 0 });
    recorder.sessionStarted({ waitedMs: 30_000 });
    recorder.sessionStarted({ waitedMs: 120_000 });
    recorder.sessionRefused({ reason: 'no-capacity' });
    recorder.sessionRefused({ reason: 'gave-up' });
    const result = recorder.finish({ atMs: 24 * hour + 1_800_000 });

    expect(result.cost).toBeCloseTo(1 + 300 / 3600 + 60 / 3600 + 1, 12);
    expect(result.billedInstanceHours).toBeCloseTo((3600 + 300 + 60 + 3600) / 3600, 12);
    expect(result.instanceHours).toBeCloseTo((3600 + 300 + 30 + 3600) / 3600, 12);
    expect([result.scaleUps, result.scaleDowns, result.thrash, result.bootFailures]).toEqual([4, 2, 1, 1]);
    expect(result.costPerDay.map((day) => day.day)).toEqual(['1970-01-01', '1970-01-02', '1970-01-03']);
    expect(result.costPerDay[0]!.cost).toBeCloseTo(1 + 300 / 3600 + 60 / 3600 + 0.5, 12);
    expect(result.costPerDay[1]!.cost).toBeCloseTo(0.5, 12);
    expect(result.costPerDay[2]!.cost).toBe(0);
    expect(result.sessions).toEqual({
      total: 6,
      served: 4,
      waited: 2,
      refused: 2,
      gaveUp: 1,
      peakConcurrent: 1,
      waitSeconds: { mean: 37.5, p50: 0, p95: 120, p99: 120, max: 120 },
    });
    expect(result.waitHistogram.counts).toEqual([2, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
    expect(result.peakInstances).toBe(1);
    expect(result.meanInstances).toBeCloseTo(3600 / (24 * 3600 + 1800), 12);
    expect(result.idleInstanceHours).toBeCloseTo(0.5, 12);
    expect(result.unusedCapacityHours.cores).toBeCloseTo((2 * 1740 + 4 * 1800) / 3600, 12);
    expect(result.timeline.bucketSeconds).toBe(300);
    expect(result.timeline.atMs).toHaveLength(576);
    expect(result.timeline.instancesByState.starting[0]).toBeCloseTo(0.2, 12);
    expect(result.timeline.instancesByState.running[0]).toBeCloseTo(0.8, 12);
    expect(result.timeline.capacity.cores[0]).toBeCloseTo(3.2, 12);
    expect(result.timeline.instancesByState.running[12]).toBe(0);
    expect(result.oracle).toBeUndefined();
  });

  test('carries the oracle bound, its ratio and its cost per day', () => {
    const recorder = createResultsRecorder({
      startMs: 0,
      endMs: 2 * hour,
      autoscale: [{ id: 'a', pricePerInstanceHour: 2, billing: BILLING_PER_SECOND, downscaleBackoffSeconds: 0 }],
    });
    recorder.instanceCreated({ instanceId: 'i1', autoscaleId: 'a', atMs: 0 });
    const oracle = computeOracle({
      sessions: [{ startMs: 0, durationMs: 1_800_000, cores: 1, memoryMb: 0, gpus: 0 }],
      agent: { cores: 4, memoryMb: 0, gpus: 0 },
      billing: BILLING_PER_SECOND,
      pricePerInstanceHour: 2,
    });
    const result = recorder.finish({ atMs: 2 * hour, oracle });
    expect(result.cost).toBe(4);
    expect(result.oracle).toEqual({ cost: 1, fluidCost: 1, instanceHours: 0.5, peakInstances: 1 });
    expect(result.costRatio).toBe(4);
    expect(result.costPerDay).toEqual([{ day: '1970-01-01', dayStartMs: 0, cost: 4, oracleCost: 1 }]);
    expect(result.timeline.oracleInstances![0]).toBe(1);
    expect(result.timeline.bucketSeconds).toBe(60);
    expect(result.timeline.oracleInstances![29]).toBe(1);
    expect(result.timeline.oracleInstances![30]).toBe(0);
  });

  test('destroying an unknown instance is a bug, reported loudly', () => {
    const recorder = createResultsRecorder({ startMs: 0, endMs: hour, autoscale: [] });
    expect(() => recorder.instanceDestroyed({ instanceId: 'x', atMs: 1, reason: 'scale-down' })).toThrow(
      'never created',
    );
    expect(() => recorder.instanceCreated({ instanceId: 'x', autoscaleId: 'nope', atMs: 1 })).toThrow(
      'unknown autoscale',
    );
  });

  test('cost per day follows local days in the given time zone', () => {
    const recorder = createResultsRecorder({
      startMs: Date.UTC(2026, 2, 2, 0),
      endMs: Date.UTC(2026, 2, 2, 12),
      timezone: 'America/New_York',
      autoscale: [{ id: 'a', pricePerInstanceHour: 1, billing: BILLING_PER_SECOND, downscaleBackoffSeconds: 0 }],
    });
    recorder.instanceCreated({ instanceId: 'i', autoscaleId: 'a', atMs: Date.UTC(2026, 2, 2, 4) });
    recorder.instanceDestroyed({ instanceId: 'i', atMs: Date.UTC(2026, 2, 2, 6), reason: 'scale-down' });
    const result = recorder.finish({ atMs: Date.UTC(2026, 2, 2, 12) });
    expect(result.costPerDay.map((day) => [day.day, day.cost])).toEqual([
      ['2026-03-01', 1],
      ['2026-03-02', 1],
    ]);
  });
});

test('paretoFront keeps points no other beats on both cost and p95 wait', () => {
  const points = [
    { cost: 10, p95WaitSeconds: 5 },
    { cost: 8, p95WaitSeconds: 9 },
    { cost: 12, p95WaitSeconds: 1 },
    { cost: 9, p95WaitSeconds: 9 },
    { cost: 15, p95WaitSeconds: 1 },
  ];
  expect(paretoFront(points)).toEqual([1, 0, 2]);
  expect(paretoFront([])).toEqual([]);
});
