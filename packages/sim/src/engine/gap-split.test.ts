import { type HeadroomConfigInput, parseConfig } from '@headroom/core';
import { describe, expect, test } from 'vitest';
import { BILLING_PER_SECOND, type CloudModel } from '../cloud-model.js';
import { createRandom } from '../random.js';
import { GAP_PARTS } from '../results/gap-split.js';
import type { TraceSession } from '../trace/trace-session.js';
import { simulate } from './simulate.js';

/** 3.6 per hour = 0.001 per second, so costs read as billed seconds / 1000. */
const cloud: CloudModel = {
  defaults: {
    bootTime: { kind: 'fixed', seconds: 60 },
    bootFailureProbability: 0,
    checkinDelay: { kind: 'fixed', seconds: 0 },
    billing: BILLING_PER_SECOND,
  },
  defaultPricePerInstanceHour: 3.6,
};

function agentsConfig(autoscale: Record<string, unknown>) {
  const input: HeadroomConfigInput = {
    providers: { sim: { type: 'fake', maxInstances: 50 } },
    pools: [
      {
        id: 'agents',
        kind: 'docker-agent',
        autoscale: [
          {
            id: 'main',
            provider: 'sim',
            agent: { cores: 4, memoryMb: 8192, gpus: 0 },
            downscaleBackoffSeconds: 600,
            aggressiveScaling: true,
            ...autoscale,
          },
        ],
      },
    ],
  };
  return parseConfig(input);
}

/** A day of random sessions (1–4 cores, minutes to hours), the same for a seed. */
function randomTrace(seed: number, count: number): TraceSession[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => ({
    startMs: Math.floor(random.next() * 86_400) * 1000,
    durationMs: Math.floor(300 + random.next() * 7200) * 1000,
    cores: 1 + Math.floor(random.next() * 4),
    memoryMb: 1024,
    gpus: 0,
  }));
}

const sumOfParts = (
  gap: NonNullable<Awaited<ReturnType<typeof simulate>>['result']['gap']>,
  key: 'cost' | 'instanceHours',
) => GAP_PARTS.reduce((sum, part) => sum + gap[part][key], 0);

describe('gap to the oracle', () => {
  test('one session: boot time and the backoff tail are the whole gap', async () => {
    // The run starts 900 s before the arrival, so a tick falls at 100 s: the arrival queues and that
    // tick creates an agent, running at 160 s (60 s boot, billed); the session runs 160–1160 s; the
    // idle agent is kept by the 600 s backoff until 1760 s. Billed 1660 s = 1.66; the oracle holds
    // one agent 100–1100 s = 1.00.
    const trace = [{ startMs: 100_000, durationMs: 1_000_000, cores: 2, memoryMb: 2048, gpus: 0 }];
    const { result } = await simulate({ config: agentsConfig({}), trace, cloud, engine: 'planner' });
    expect(result.cost).toBeCloseTo(1.66, 6);
    const gap = result.gap!;
    expect(gap.total.cost).toBeCloseTo(0.66, 6);
    expect(gap.boot.cost).toBeCloseTo(0.06, 6);
    expect(gap.backoff.cost).toBeCloseTo(0.6, 6);
    expect(gap.standby.cost).toBeCloseTo(0, 6);
    expect(gap.stranded.cost).toBeCloseTo(0, 6);
    expect(gap.packing.cost).toBeCloseTo(0, 6);
  });

  test.each([1, 2, 3])(
    'the parts add up to cost − oracle (seed %i, with standby) and the floor lies between',
    async (seed) => {
      const trace = randomTrace(seed, 150);
      const { result } = await simulate({
        config: agentsConfig({ standby: { cores: 4 } }),
        trace,
        cloud,
        seed,
        engine: 'planner',
        floor: true,
      });
      const gap = result.gap!;
      expect(sumOfParts(gap, 'cost')).toBeCloseTo(result.cost - result.oracle!.cost, 9);
      expect(sumOfParts(gap, 'instanceHours')).toBeCloseTo(result.instanceHours - result.oracle!.instanceHours, 9);
      expect(gap.standby.cost).toBeGreaterThan(0);
      expect(gap.boot.cost).toBeGreaterThan(0);
      expect(result.floor!.cost).toBeLessThan(result.cost);
      expect(result.floor!.cost).toBeGreaterThanOrEqual(result.oracle!.cost);
      expect(result.policyLoss).toBeCloseTo(result.cost / result.floor!.cost, 12);
      expect(result.packingLoss).toBeCloseTo(result.floor!.cost / result.oracle!.cost, 12);
      // The floor boots at once and keeps nothing idle: nobody waits longer than a tick.
      expect(result.floor!.p95WaitSeconds).toBeLessThanOrEqual(30);
    },
  );

  test('a measurement window counts only its sessions, cost and oracle', async () => {
    const trace = randomTrace(4, 150);
    const config = agentsConfig({});
    const whole = await simulate({ config, trace, cloud, engine: 'planner' });
    const measureFromMs = 6 * 3_600_000;
    const measureToMs = 18 * 3_600_000;
    const window = await simulate({ config, trace, cloud, engine: 'planner', measureFromMs, measureToMs });
    const arrivals = trace.filter((session) => session.startMs >= measureFromMs && session.startMs < measureToMs);
    expect(window.result.sessions.total).toBe(arrivals.length);
    expect(window.result.cost).toBeLessThan(whole.result.cost);
    expect(window.result.oracle!.cost).toBeLessThan(whole.result.oracle!.cost);
    // Twelve hours cannot cost more than the peak fleet running all twelve.
    expect(window.result.instanceHours).toBeLessThanOrEqual(whole.result.peakInstances * 12 + 1e-9);
    expect(window.result.measureWindow).toEqual({ fromMs: measureFromMs, toMs: measureToMs });
    const gap = window.result.gap!;
    expect(sumOfParts(gap, 'cost')).toBeCloseTo(window.result.cost - window.result.oracle!.cost, 9);
  });
});
