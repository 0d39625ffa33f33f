import { type HeadroomConfigInput, parseConfig } from '@headroom/core';
import { expect, test } from 'vitest';
import { BILLING_PER_SECOND, type CloudModel } from '../cloud-model.js';
import type { TraceSession } from '../trace/trace-session.js';
import { createFleetModel } from './fleet-model.js';
import { horizonMsOf } from './predictive-standby.js';
import { simulate } from './simulate.js';

const cloud: CloudModel = {
  defaults: {
    bootTime: { kind: 'fixed', seconds: 120 },
    bootFailureProbability: 0,
    checkinDelay: { kind: 'fixed', seconds: 0 },
    billing: BILLING_PER_SECOND,
  },
  defaultPricePerInstanceHour: 1,
};

function config(predictive: boolean | 'history') {
  const input: HeadroomConfigInput = {
    providers: { sim: { type: 'fake', maxInstances: 100 } },
    pools: [
      {
        id: 'agents',
        kind: 'docker-agent',
        autoscale: [
          {
            id: 'main',
            provider: 'sim',
            agent: { cores: 4, memoryMb: 8192, gpus: 0 },
            aggressiveScaling: true,
            downscaleBackoffSeconds: 300,
            ...(predictive
              ? {
                  predictiveStandby: {
                    quantile: 0.95,
                    confidenceFloor: 10,
                    ...(predictive === 'history' ? { learnFrom: 'history' as const } : {}),
                  },
                }
              : {}),
          },
        ],
      },
    ],
  };
  return parseConfig(input);
}

const dayMs = 86_400_000;
const mondayMs = Date.UTC(2025, 0, 6);

/** Each of 8 days, a morning rush 09:00–10:00 (a 2-core session every minute, 2 h long). */
const trace: TraceSession[] = Array.from({ length: 8 }, (_, day) =>
  Array.from({ length: 60 }, (_, minute) => ({
    startMs: mondayMs + day * dayMs + 9 * 3_600_000 + minute * 60_000,
    durationMs: 2 * 3_600_000,
    cores: 2,
    memoryMb: 1024,
    gpus: 0,
  })),
).flat();

test('predictive standby learnt from the first week keeps room for the rush of the eighth day', async () => {
  const measureFromMs = mondayMs + 7 * dayMs;
  const run = (predictive: boolean) =>
    simulate({ config: config(predictive), trace, cloud, engine: 'planner', measureFromMs, floor: true });
  const without = await run(false);
  const withPredictive = await run(true);
  expect(withPredictive.warnings.filter((warning) => warning.includes('whole trace'))).toEqual([]);
  // Without standby every second session of the rush waits for a 2-minute boot.
  expect(without.result.sessions.waitSeconds.p95).toBeGreaterThanOrEqual(60);
  expect(withPredictive.result.sessions.waitSeconds.p95).toBeLessThan(without.result.sessions.waitSeconds.p95);
  // The room is paid for; the floor (no standby) is the same trace either way.
  expect(withPredictive.result.cost).toBeGreaterThan(without.result.cost);
  expect(withPredictive.result.floor!.cost).toBeCloseTo(without.result.floor!.cost, 9);
  // The caller's config is not changed by the hourly standby.
  expect((config(true).pools[0]!.autoscale[0] as { standby: unknown }).standby).toEqual({
    cores: 0,
    memoryMb: 0,
    gpus: 0,
    slots: [],
  });
});

test('learnFrom history learns online from what the simulation observed: from the third day the rush waits less', async () => {
  const measureFromMs = mondayMs + 2 * dayMs;
  const run = (predictive: boolean | 'history') =>
    simulate({ config: config(predictive), trace, cloud, engine: 'planner', measureFromMs, floor: false });
  const without = await run(false);
  const history = await run('history');
  expect(history.warnings.filter((warning) => warning.includes('predictive'))).toEqual([]);
  expect(without.result.sessions.waitSeconds.p95).toBeGreaterThanOrEqual(60);
  expect(history.result.sessions.waitSeconds.mean).toBeLessThan(without.result.sessions.waitSeconds.mean / 2);
  expect(history.result.sessions.waitSeconds.p95).toBeLessThan(without.result.sessions.waitSeconds.p95);
  // The room it kept is standby in the gap split (there is no static standby).
  expect(without.result.gap!.standby.instanceHours).toBe(0);
  expect(history.result.gap!.standby.instanceHours).toBeGreaterThan(0);
});

test('learnFrom history with the reconciler engine: its learn-demand step learns from the simulator store', async () => {
  const days = trace.filter((session) => session.startMs < mondayMs + 4 * dayMs);
  const history = await simulate({ config: config('history'), trace: days, cloud, engine: 'reconciler' });
  const without = await simulate({ config: config(false), trace: days, cloud, engine: 'reconciler' });
  expect(history.warnings.filter((warning) => warning.includes('predictive'))).toEqual([]);
  // Day 1 teaches the hour of day; days 2–4 hold standby before the rush, so it waits less.
  expect(history.result.sessions.waitSeconds.mean).toBeLessThan(without.result.sessions.waitSeconds.mean);
  expect(history.result.gap!.standby.instanceHours).toBeGreaterThan(0);
});

test('the default horizon is one tick, the p95 boot and, when check-ins are required, the p95 check-in', () => {
  const withCheckin = {
    ...cloud,
    defaults: { ...cloud.defaults, checkinDelay: { kind: 'fixed' as const, seconds: 15 } },
  };
  const runtimeOf = (requireCheckin: boolean) => {
    const input = config(true);
    Object.assign(input.pools[0]!.autoscale[0]!, {
      requireCheckin,
      checkinTimeoutSeconds: requireCheckin ? 600 : undefined,
    });
    return createFleetModel({ config: input, cloud: withCheckin }).runtimes[0]!;
  };
  expect(horizonMsOf(runtimeOf(false), {}, 30_000)).toBe(150_000);
  expect(horizonMsOf(runtimeOf(true), {}, 30_000)).toBe(165_000);
  expect(horizonMsOf(runtimeOf(true), { horizonSeconds: 45 }, 30_000)).toBe(45_000);
});
