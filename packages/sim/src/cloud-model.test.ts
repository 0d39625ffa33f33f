import { describe, expect, test } from 'vitest';
import {
  BILLING_PER_HOUR,
  BILLING_PER_MINUTE,
  BILLING_PER_SECOND,
  billedSeconds,
  type CloudModel,
  DEFAULT_CLOUD_MODEL,
  instanceCost,
  pricePerInstanceHour,
  providerCloudModel,
  sampleBootFailure,
  sampleSeconds,
} from './cloud-model.js';
import { createRandom } from './random.js';

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

describe('billing', () => {
  test('per second with a 60 s minimum, per minute, per hour', () => {
    expect(billedSeconds({ seconds: 0, billing: BILLING_PER_SECOND })).toBe(60);
    expect(billedSeconds({ seconds: 59.2, billing: BILLING_PER_SECOND })).toBe(60);
    expect(billedSeconds({ seconds: 61.2, billing: BILLING_PER_SECOND })).toBe(62);
    expect(billedSeconds({ seconds: 61, billing: BILLING_PER_MINUTE })).toBe(120);
    expect(billedSeconds({ seconds: 120, billing: BILLING_PER_MINUTE })).toBe(120);
    expect(billedSeconds({ seconds: 3601, billing: BILLING_PER_HOUR })).toBe(7200);
    expect(billedSeconds({ seconds: 10, billing: BILLING_PER_HOUR })).toBe(3600);
  });

  test('instance cost bills boot time only when the model says so', () => {
    const base = { createdAtMs: 0, runningAtMs: 90_000, destroyedAtMs: 3_690_000, pricePerInstanceHour: 0.36 };
    const billedBoot = instanceCost({ ...base, billing: BILLING_PER_SECOND });
    expect(billedBoot.billedSeconds).toBe(3690);
    expect(billedBoot.cost).toBeCloseTo(0.369, 10);
    const unbilledBoot = instanceCost({ ...base, billing: { ...BILLING_PER_SECOND, bootTimeBilled: false } });
    expect(unbilledBoot).toEqual({ billedSeconds: 3600, cost: 0.36 });
    const neverRan = instanceCost({
      ...base,
      runningAtMs: undefined,
      billing: { ...BILLING_PER_HOUR, bootTimeBilled: false },
    });
    expect(neverRan).toEqual({ billedSeconds: 0, cost: 0 });
    expect(instanceCost({ ...base, runningAtMs: undefined, billing: BILLING_PER_HOUR }).billedSeconds).toBe(7200);
  });
});

describe('distributions', () => {
  test('fixed and uniform', () => {
    const random = createRandom(1);
    expect(sampleSeconds({ distribution: { kind: 'fixed', seconds: 30 }, random })).toBe(30);
    const draws = Array.from({ length: 2000 }, () =>
      sampleSeconds({ distribution: { kind: 'uniform', minimumSeconds: 20, maximumSeconds: 40 }, random }),
    );
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...draws)).toBeLessThan(40);
    expect(quantile(draws, 0.5)).toBeGreaterThan(28);
    expect(quantile(draws, 0.5)).toBeLessThan(32);
  });

  test('log-normal matches its median and p95', () => {
    const random = createRandom(42);
    const draws = Array.from({ length: 20_000 }, () =>
      sampleSeconds({ distribution: { kind: 'log-normal', medianSeconds: 60, p95Seconds: 180 }, random }),
    );
    expect(quantile(draws, 0.5)).toBeGreaterThan(57);
    expect(quantile(draws, 0.5)).toBeLessThan(63);
    expect(quantile(draws, 0.95)).toBeGreaterThan(165);
    expect(quantile(draws, 0.95)).toBeLessThan(195);
  });

  test('draws are deterministic for a seed and differ across seeds', () => {
    const distribution = { kind: 'log-normal', medianSeconds: 45, p95Seconds: 120 } as const;
    const run = (seed: number) => {
      const random = createRandom(seed);
      return Array.from({ length: 5 }, () => sampleSeconds({ distribution, random }));
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });

  test('boot failures follow their probability', () => {
    const random = createRandom(9);
    const model = { ...DEFAULT_CLOUD_MODEL.defaults, bootFailureProbability: 0.2 };
    const failures = Array.from({ length: 10_000 }, () => sampleBootFailure({ model, random })).filter(Boolean).length;
    expect(failures).toBeGreaterThan(1800);
    expect(failures).toBeLessThan(2200);
    expect(sampleBootFailure({ model: { ...model, bootFailureProbability: 0 }, random })).toBe(false);
  });
});

test('per-provider overrides and per-config prices', () => {
  const cloud: CloudModel = {
    ...DEFAULT_CLOUD_MODEL,
    providers: { vsphere: { billing: BILLING_PER_HOUR, bootFailureProbability: 0 } },
    pricePerInstanceHour: { gpu: 2.5 },
    defaultPricePerInstanceHour: 0.1,
  };
  expect(providerCloudModel({ cloud, providerId: 'vsphere' })).toEqual({
    ...DEFAULT_CLOUD_MODEL.defaults,
    billing: BILLING_PER_HOUR,
    bootFailureProbability: 0,
  });
  expect(providerCloudModel({ cloud, providerId: 'aws' })).toEqual(DEFAULT_CLOUD_MODEL.defaults);
  expect(pricePerInstanceHour({ cloud, autoscaleId: 'gpu' })).toBe(2.5);
  expect(pricePerInstanceHour({ cloud, autoscaleId: 'cpu' })).toBe(0.1);
});
