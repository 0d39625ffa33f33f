import { describe, expect, test } from 'vitest';
import { BILLING_PER_HOUR, BILLING_PER_SECOND } from '../cloud-model.js';
import { combineOracles, computeOracle } from './compute-oracle.js';

const agent = { cores: 4, memoryMb: 8192, gpus: 0 };
const session = (startSeconds: number, durationSeconds: number, cores: number, memoryMb: number, gpus = 0) => ({
  startMs: startSeconds * 1000,
  durationMs: durationSeconds * 1000,
  cores,
  memoryMb,
  gpus,
});

describe('computeOracle', () => {
  // A: 0–3600 s, 2 cores. B: 1800–5400 s, 3 cores. Needed: 1 (0–1800), 2 (1800–3600), 1 (3600–5400).
  const overlapping = [session(0, 3600, 2, 2048), session(1800, 3600, 3, 1024)];

  test('per-second billing: level 1 runs 5400 s, level 2 runs 1800 s', () => {
    const oracle = computeOracle({
      sessions: overlapping,
      agent,
      billing: BILLING_PER_SECOND,
      pricePerInstanceHour: 0.5,
    });
    expect(oracle.steps).toEqual({ atMs: [0, 1_800_000, 3_600_000, 5_400_000], instances: [1, 2, 1, 0] });
    expect(oracle.peakInstances).toBe(2);
    expect(oracle.instanceHours).toBe(2);
    expect(oracle.billedInstanceHours).toBe(2);
    expect(oracle.cost).toBe(1);
    expect(oracle.fluidCost).toBe(1);
    expect(oracle.runs).toEqual({ startMs: [0, 1_800_000], billedSeconds: [5400, 1800], cost: [0.75, 0.25] });
  });

  test('hourly billing rounds each level up to whole hours', () => {
    const oracle = computeOracle({
      sessions: overlapping,
      agent,
      billing: BILLING_PER_HOUR,
      pricePerInstanceHour: 0.5,
    });
    expect(oracle.billedInstanceHours).toBe(3);
    expect(oracle.cost).toBe(1.5);
    expect(oracle.fluidCost).toBe(1);
  });

  test('memory can be the binding resource; GPUs on a GPU-less agent are not counted', () => {
    const oracle = computeOracle({
      sessions: [session(0, 600, 1, 9000, 1)],
      agent,
      billing: BILLING_PER_SECOND,
      pricePerInstanceHour: 1,
    });
    expect(oracle.peakInstances).toBe(2);
    expect(oracle.billedInstanceHours).toBeCloseTo(1200 / 3600, 12);
  });

  test('runs are merged across a gap when that is cheaper under the billing minimum', () => {
    const twoShort = [session(0, 600, 1, 0), session(1200, 600, 1, 0)];
    const hourly = computeOracle({ sessions: twoShort, agent, billing: BILLING_PER_HOUR, pricePerInstanceHour: 1 });
    expect(hourly.billedInstanceHours).toBe(1);
    expect(hourly.runs).toEqual({ startMs: [0], billedSeconds: [3600], cost: [1] });
    const tiny = [session(0, 10, 1, 0), session(100, 10, 1, 0)];
    const perSecond = computeOracle({ sessions: tiny, agent, billing: BILLING_PER_SECOND, pricePerInstanceHour: 3600 });
    expect(perSecond.cost).toBe(110);
    const farApart = [session(0, 10, 1, 0), session(1000, 10, 1, 0)];
    expect(
      computeOracle({ sessions: farApart, agent, billing: BILLING_PER_SECOND, pricePerInstanceHour: 3600 }).cost,
    ).toBe(120);
  });

  test('simultaneous departure and arrival do not open a new instance', () => {
    const handOver = [session(0, 100, 4, 0), session(100, 100, 4, 0)];
    const oracle = computeOracle({
      sessions: handOver,
      agent,
      billing: BILLING_PER_SECOND,
      pricePerInstanceHour: 3600,
    });
    expect(oracle.steps).toEqual({ atMs: [0, 200_000], instances: [1, 0] });
    expect(oracle.cost).toBe(200);
  });

  test('no sessions cost nothing', () => {
    const oracle = computeOracle({ sessions: [], agent, billing: BILLING_PER_SECOND, pricePerInstanceHour: 1 });
    expect([oracle.cost, oracle.peakInstances, oracle.steps.atMs.length]).toEqual([0, 0, 0]);
  });
});

test('combineOracles adds costs and step functions', () => {
  const a = computeOracle({
    sessions: [session(0, 100, 4, 0)],
    agent,
    billing: BILLING_PER_SECOND,
    pricePerInstanceHour: 3600,
  });
  const b = computeOracle({
    sessions: [session(50, 100, 8, 0)],
    agent,
    billing: BILLING_PER_SECOND,
    pricePerInstanceHour: 7200,
  });
  const combined = combineOracles([a, b]);
  expect(combined.cost).toBe(100 + 2 * 2 * 100);
  expect(combined.steps).toEqual({ atMs: [0, 50_000, 100_000, 150_000], instances: [1, 3, 2, 0] });
  expect(combined.peakInstances).toBe(3);
  expect(combined.runs.cost).toEqual([100, 200, 200]);
  expect(combineOracles([a])).toBe(a);
});
