import type { Autoscaler, TickResult } from '@headroom/core';
import * as core from '@headroom/core';
import { parseConfig } from '@headroom/core';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { BILLING_PER_SECOND, type CloudModel } from '../cloud-model.js';
import { simulate } from './simulate.js';

vi.mock('@headroom/core', async (importOriginal) => {
  const original = await importOriginal<typeof import('@headroom/core')>();
  return { ...original, createAutoscaler: vi.fn(original.createAutoscaler) };
});

const cloud: CloudModel = {
  defaults: {
    bootTime: { kind: 'fixed', seconds: 60 },
    bootFailureProbability: 0,
    checkinDelay: { kind: 'fixed', seconds: 5 },
    billing: BILLING_PER_SECOND,
  },
  defaultPricePerInstanceHour: 3.6,
};

const config = parseConfig({
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
});

const trace = [{ startMs: 100_000, durationMs: 1_000_000, cores: 2, memoryMb: 2048, gpus: 0 }];

/** Wraps every autoscaler the engine creates and records its tick results and check-ins. */
function recordAutoscalers() {
  const ticks: TickResult[] = [];
  const checkins: { instanceId: string; at: number }[] = [];
  const create = vi.mocked(core.createAutoscaler);
  const original = create.getMockImplementation()!;
  create.mockImplementation((options) => {
    const autoscaler: Autoscaler = original(options);
    return {
      ...autoscaler,
      tick: async () => {
        const result = await autoscaler.tick();
        ticks.push(result);
        return result;
      },
      recordCheckin: (checkin) => {
        checkins.push(checkin);
        return autoscaler.recordCheckin(checkin);
      },
    };
  });
  return { ticks, checkins, create };
}

afterEach(() => {
  vi.mocked(core.createAutoscaler).mockClear();
});

describe('simulate drives the production reconciler', () => {
  test('every evaluated tick is an autoscaler tick; creates, check-ins and destroys go through it', async () => {
    const { ticks, checkins, create } = recordAutoscalers();
    const run = await simulate({ config, trace, cloud, startMs: 0, endMs: 3600_000 });
    expect(create).toHaveBeenCalledTimes(1);
    const options = create.mock.calls[0]![0];
    expect(Object.keys(options.providers)).toEqual(['sim']);
    expect(options.providers.sim!.providerId).toBe('sim');
    expect(ticks).toHaveLength(run.stats.ticksEvaluated);
    expect(ticks.every((tick) => tick.leader && tick.errors.length === 0)).toBe(true);
    const created = ticks.flatMap((tick) => tick.actions.created);
    const destroyed = ticks.flatMap((tick) => tick.actions.destroyed);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatch(/^agents-main-[0-9a-f]{8}$/);
    expect(destroyed).toEqual([{ id: created[0], cause: 'scale-down' }]);
    // Created by the tick at 120 s, booted at 180 s, checked in 5 s later.
    expect(checkins).toEqual([{ instanceId: created[0], at: 185_000 }]);
    expect(ticks.find((tick) => tick.actions.created.length > 0)!.at).toBe(new Date(120_000).toISOString());
    expect(run.result.sessions.waitSeconds.max).toBe(85);
    expect(run.result).toMatchObject({ scaleUps: 1, scaleDowns: 1 });
  });

  test("engine 'planner' plans without an autoscaler and gives the same result", async () => {
    const { ticks, create } = recordAutoscalers();
    const reconciled = await simulate({ config, trace, cloud, startMs: 0, endMs: 3600_000 });
    create.mockClear();
    const planned = await simulate({ config, trace, cloud, startMs: 0, endMs: 3600_000, engine: 'planner' });
    expect(create).not.toHaveBeenCalled();
    expect(ticks).toHaveLength(reconciled.stats.ticksEvaluated);
    expect(planned.result).toEqual(reconciled.result);
  });
});
