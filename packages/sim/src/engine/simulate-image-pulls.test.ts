import * as core from '@headroom/core';
import { ConfigError, type HeadroomConfigInput, parseConfig } from '@headroom/core';
import { describe, expect, test, vi } from 'vitest';
import { BILLING_PER_SECOND, type CloudModel, pullMilliseconds } from '../cloud-model.js';
import type { TraceSession } from '../trace/trace-session.js';
import { simulate } from './simulate.js';

vi.mock('@headroom/core', async (importOriginal) => {
  const original = await importOriginal<typeof import('@headroom/core')>();
  return { ...original, computeScalingPlan: vi.fn(original.computeScalingPlan) };
});

/** Boots take 60 s, check-ins 5 s; agents pull at 100 MB/s. */
const cloud: CloudModel = {
  defaults: {
    bootTime: { kind: 'fixed', seconds: 60 },
    bootFailureProbability: 0,
    checkinDelay: { kind: 'fixed', seconds: 5 },
    billing: BILLING_PER_SECOND,
    pullBandwidthMbPerSecond: 100,
  },
  defaultPricePerInstanceHour: 3.6,
};

function configWith(workspaces: HeadroomConfigInput['workspaces']) {
  return parseConfig({
    providers: { sim: { type: 'aws', region: 'us-east-1', maxInstances: 10 } },
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
            requireCheckin: true,
            downscaleBackoffSeconds: 600,
          },
        ],
      },
    ],
    workspaces,
  });
}

const chrome = { id: 'chrome', image: 'kasmweb/chrome:1.16.0', registry: { url: 'registry.example.com' } };
/** 6,000 MB at 100 MB/s: 60 s of pulling after the check-in. */
const withImage = configWith([{ ...chrome, sizeMb: 6000 }]);
const withoutSize = configWith([chrome]);

/** Two sessions far enough apart that the first agent is scaled down in between. */
const trace: TraceSession[] = [
  { startMs: 100_000, durationMs: 1_000_000, cores: 2, memoryMb: 2048, gpus: 0, workspace: 'chrome' },
  { startMs: 5_000_000, durationMs: 600_000, cores: 2, memoryMb: 2048, gpus: 0, workspace: 'chrome' },
];

const engines = ['planner', 'reconciler'] as const;

describe('image pull time', () => {
  test('pull time is the size over the bandwidth; instant without a size or with infinite bandwidth', () => {
    expect(pullMilliseconds({ sizeMb: 6000, model: cloud.defaults })).toBe(60_000);
    expect(pullMilliseconds({ sizeMb: 0, model: cloud.defaults })).toBe(0);
    expect(pullMilliseconds({ sizeMb: 6000, model: { ...cloud.defaults, pullBandwidthMbPerSecond: Infinity } })).toBe(
      0,
    );
    // The default bandwidth (100 MB/s) applies when the model states none.
    const { pullBandwidthMbPerSecond: _bandwidth, ...noBandwidth } = cloud.defaults;
    expect(pullMilliseconds({ sizeMb: 50, model: noBandwidth })).toBe(500);
  });

  test.each(engines)('engine %s: a new agent takes sessions only once it pulled the image', async (engine) => {
    const base = await simulate({ config: withoutSize, trace, cloud, engine });
    const pulled = await simulate({ config: withImage, trace, cloud, engine });
    // Each session waited for a new agent; the pull adds exactly its 60 s to each wait.
    expect(base.result.sessions.waited).toBe(2);
    expect(pulled.result.sessions.waitSeconds.max).toBeCloseTo(base.result.sessions.waitSeconds.max + 60, 6);
    expect(pulled.result.sessions.waitSeconds.mean).toBeCloseTo(base.result.sessions.waitSeconds.mean + 60, 6);
    // The pulling agent counts as pending for the planner: no second agent for the same session.
    expect(pulled.result.scaleUps).toBe(base.result.scaleUps);
    expect(base.result.imagePulls).toBeUndefined();
    expect(pulled.result.imagePulls).toEqual({
      pulls: 2,
      meanPullSeconds: 60,
      waitingInstanceHours: (2 * 60) / 3600,
      waitingCoreHours: (2 * 4 * 60) / 3600,
      waitingCost: expect.closeTo((2 * 60 * 3.6) / 3600, 9),
      sessionsWaited: 2,
    });
    expect(pulled.warnings).toEqual([]);
  });

  test('the planner sees a pulling agent as waiting for its images, and only while it pulls', async () => {
    const plan = vi.mocked(core.computeScalingPlan);
    plan.mockClear();
    await simulate({ config: withImage, trace: trace.slice(0, 1), cloud, engine: 'planner', skipQuietTicks: false });
    const waitingAt = plan.mock.calls.flatMap(([options], index) =>
      plan.mock.results[index]!.type === 'return' &&
      (plan.mock.results[index]!.value as ReturnType<typeof core.computeScalingPlan>).plan.configs.some((config) =>
        config.reasons.some((reason) => reason.startsWith('1 agent(s) wait for workspace images (chrome ×1)')),
      )
        ? [options.now as number]
        : [],
    );
    // Ticks every 30 s from -800 s: created at the 100 s tick (the arrival), running at 160 s, checked
    // in at 165 s, pulled at 225 s; the ticks at 190 s and 220 s see it pulling.
    expect(waitingAt).toEqual([190_000, 220_000]);
  });

  test('both engines agree, and skipping quiet ticks changes nothing', async () => {
    const planner = await simulate({ config: withImage, trace, cloud, engine: 'planner' });
    const reconciler = await simulate({ config: withImage, trace, cloud, engine: 'reconciler' });
    const everyTick = await simulate({ config: withImage, trace, cloud, engine: 'planner', skipQuietTicks: false });
    for (const run of [reconciler, everyTick]) {
      expect(run.result.imagePulls).toEqual(planner.result.imagePulls);
      expect(run.result.sessions).toEqual(planner.result.sessions);
      expect(run.result.cost).toBeCloseTo(planner.result.cost, 9);
    }
  });

  test('an agent that is already there serves the next session at once; only new agents pull', async () => {
    const busy: TraceSession[] = [
      { startMs: 100_000, durationMs: 1_000_000, cores: 1, memoryMb: 1024, gpus: 0, workspace: 'chrome' },
      { startMs: 400_000, durationMs: 100_000, cores: 1, memoryMb: 1024, gpus: 0, workspace: 'chrome' },
    ];
    const run = await simulate({ config: withImage, trace: busy, cloud, engine: 'planner' });
    expect(run.result.imagePulls?.pulls).toBe(1);
    expect(run.result.imagePulls?.sessionsWaited).toBe(1);
    expect(run.result.sessions.waited).toBe(1);
  });

  test('the floor pulls instantly', async () => {
    const run = await simulate({ config: withImage, trace, cloud, engine: 'planner', floor: true });
    const base = await simulate({ config: withoutSize, trace, cloud, engine: 'planner', floor: true });
    expect(run.result.floor).toEqual(base.result.floor);
  });

  test('workspaces on other pools, or without a size, change nothing', async () => {
    const plain = configWith([]);
    const elsewhere = configWith([{ ...chrome, sizeMb: 6000, pools: [] }]);
    const base = await simulate({ config: plain, trace, cloud, engine: 'planner' });
    for (const config of [withoutSize, elsewhere]) {
      const run = await simulate({ config, trace, cloud, engine: 'planner' });
      expect(run.result).toEqual(base.result);
    }
  });

  test('an image size is bounded', () => {
    let caught: unknown;
    try {
      configWith([{ ...chrome, sizeMb: 2_000_000 }]);
    } catch (error) {
      caught = error;
    }
    expect(ConfigError.isInstance(caught)).toBe(true);
    expect((caught as ConfigError).issues).toContainEqual({
      path: 'workspaces[0].sizeMb',
      message: 'must be ≤ 1048576 (1 TiB)',
    });
  });
});
