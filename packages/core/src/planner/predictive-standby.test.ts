import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Resources } from '../model/resources.js';
import { computeScalingPlan } from './compute-scaling-plan.js';
import {
  type DemandSample,
  learnDemandGrowthProfile,
  learnDemandGrowthProfileFromSamples,
  predictedStandbyAt,
} from './demand-growth-profile.js';
import { agent, agentConfig, session, T0 } from './planner-fixtures.test-helpers.js';
import { emptyPlannerState } from './planner-state.js';
import { effectiveStandby, measurePoolDemand } from './predictive-standby.js';

const hourMs = 3_600_000;
const zero: Resources = { cores: 0, memoryMb: 0, gpus: 0 };
/** T0 is Monday 2026-11-23 12:00 UTC; a profile whose Monday-12:00 slot is `growth`. */
const profileWith = (growth: Resources | undefined) => {
  const hourOfWeek: (Resources | undefined)[] = Array.from({ length: 168 }, () => undefined);
  hourOfWeek[12] = growth;
  return { hourOfWeek, hourOfDay: Array.from({ length: 24 }, () => undefined), horizonMs: 300_000 };
};
const predictive = { predictiveStandby: { quantile: 0.95, confidenceFloor: 12, learnFrom: 'history' } };

describe('learnDemandGrowthProfileFromSamples', () => {
  test('sampled every minute, it learns what the sessions themselves teach', () => {
    const mondayMs = Date.UTC(2025, 0, 6);
    const sessions = Array.from({ length: 30 }, (_, index) => ({
      startMs: mondayMs + 9 * hourMs + index * 120_000,
      durationMs: hourMs,
      cores: 2,
      memoryMb: 1024,
      gpus: 0,
    }));
    const options = { horizonMs: 300_000, quantile: 0.95, confidenceFloor: 30 };
    const fromSessions = learnDemandGrowthProfile({
      sessions,
      fromMs: mondayMs,
      toMs: mondayMs + 24 * hourMs,
      ...options,
    });
    const samples: DemandSample[] = [];
    for (let atMs = mondayMs; atMs <= mondayMs + 24 * hourMs; atMs += 60_000) {
      const cores = sessions.filter((s) => s.startMs <= atMs && atMs < s.startMs + s.durationMs).length * 2;
      samples.push({ atMs, cores, memoryMb: cores * 512, gpus: 0 });
    }
    // Out of order on purpose: the learner sorts.
    const fromSamples = learnDemandGrowthProfileFromSamples({ samples: samples.reverse(), ...options });
    expect(predictedStandbyAt(fromSamples, mondayMs + 9 * hourMs)).toEqual({ cores: 6, memoryMb: 3072, gpus: 0 });
    expect(fromSamples.hourOfDay).toEqual(fromSessions.hourOfDay);
  });

  test('from samples, growth is the peak within the horizon, weighted by the rises in it', () => {
    // Minute samples: 10 cores, a 2-minute spike to 50 at 09:30, back to 10.
    const samples: DemandSample[] = Array.from({ length: 120 }, (_, minute) => ({
      atMs: 9 * hourMs + minute * 60_000,
      cores: minute === 30 || minute === 31 ? 50 : 10,
      memoryMb: 0,
      gpus: 0,
    }));
    const profile = learnDemandGrowthProfileFromSamples({
      samples,
      horizonMs: 300_000,
      quantile: 0.95,
      confidenceFloor: 1,
    });
    // Five minutes after 09:27 demand is back to 10, but the spike within it needs 40 more cores;
    // the only rises of the hour are that spike's, so it is the hour's 95th percentile.
    expect(profile.hourOfDay[9]).toEqual({ cores: 40, memoryMb: 0, gpus: 0 });
    expect(profile.hourOfDay[10]).toEqual(zero);
  });

  test('growth is never measured across a gap in the samples (the service was down)', () => {
    const samples: DemandSample[] = [
      ...Array.from({ length: 20 }, (_, index) => ({ atMs: index * 60_000, ...zero })),
      // 30 minutes without samples, then a much higher demand.
      ...Array.from({ length: 20 }, (_, index) => ({ atMs: (50 + index) * 60_000, ...zero, cores: 100 })),
    ];
    const profile = learnDemandGrowthProfileFromSamples({
      samples,
      horizonMs: 300_000,
      quantile: 1,
      confidenceFloor: 1,
    });
    expect(profile.hourOfDay[0]).toEqual(zero);
  });

  test('growth observations never exceed the largest demand sampled', () => {
    const sampleList = fc.array(
      fc.record({ atMs: fc.integer({ min: 0, max: 7 * 24 * hourMs }), cores: fc.integer({ min: 0, max: 500 }) }),
      { maxLength: 200 },
    );
    fc.assert(
      fc.property(sampleList, (raw) => {
        const samples = raw.map(({ atMs, cores }) => ({ atMs, cores, memoryMb: 0, gpus: 0 }));
        const profile = learnDemandGrowthProfileFromSamples({
          samples,
          horizonMs: 600_000,
          quantile: 1,
          confidenceFloor: 1,
        });
        const most = Math.max(0, ...samples.map((s) => s.cores));
        for (const slot of [...profile.hourOfWeek, ...profile.hourOfDay]) {
          if (slot) expect(slot.cores).toBeLessThanOrEqual(most);
        }
      }),
    );
  });
});

describe('predictive standby in the planner', () => {
  test('the learnt growth of the hour raises the standby above the static one, and the reason says so', () => {
    const config = agentConfig({ standby: { cores: 4, memoryMb: 0, gpus: 0 }, ...predictive });
    const result = computeScalingPlan({
      config,
      snapshot: { at: new Date(T0).toISOString(), instances: [], queued: [] },
      state: emptyPlannerState(),
      now: T0,
      demandProfiles: { 'agents/main': profileWith({ cores: 16, memoryMb: 0, gpus: 0 }) },
    }).plan.configs[0]!;
    // 16 cores of 4-core agents.
    expect(result.create).toBe(4);
    expect(result.predictedStandby).toEqual({ cores: 16, memoryMb: 0, gpus: 0 });
    expect(result.reasons[0]).toMatch(
      /learnt growth within 300 s for Mon 12:00 UTC is 16 cores.*static 4 cores.*standby 16 cores/,
    );
  });

  test('the static standby is the floor: a smaller prediction, or none, plans with it', () => {
    const config = agentConfig({ standby: { cores: 8, memoryMb: 0, gpus: 0 }, ...predictive });
    const plan = (profile: ReturnType<typeof profileWith> | undefined) =>
      computeScalingPlan({
        config,
        snapshot: { at: new Date(T0).toISOString(), instances: [], queued: [] },
        state: emptyPlannerState(),
        now: T0,
        ...(profile ? { demandProfiles: { 'agents/main': profile } } : {}),
      }).plan.configs[0]!;
    expect(plan(profileWith({ cores: 2, memoryMb: 0, gpus: 0 })).create).toBe(2);
    const unlearnt = plan(undefined);
    expect(unlearnt.create).toBe(2);
    expect(unlearnt.predictedStandby).toBeUndefined();
    expect(unlearnt.reasons[0]).toMatch(/nothing learnt yet \(learnFrom history\); static standby 8 cores/);
    expect(plan(profileWith(undefined)).reasons[0]).toMatch(/too few observations for Mon 12:00 UTC/);
  });

  test('a config without predictiveStandby ignores any profile it is given', () => {
    const config = agentConfig({ standby: { cores: 0, memoryMb: 0, gpus: 0 } });
    const result = effectiveStandby({
      autoscale: config.pools[0]!.autoscale[0] as never,
      profile: profileWith({ cores: 100, memoryMb: 0, gpus: 0 }),
      now: T0,
    });
    expect(result.reason).toBeUndefined();
    expect(result.predicted).toBeUndefined();
  });
});

describe('measurePoolDemand', () => {
  test('counts user sessions and queued requests per pool, not staged sessions', () => {
    const demand = measurePoolDemand({
      at: new Date(T0).toISOString(),
      instances: [
        agent('a1', {
          sessions: [session({ cores: 2, memoryMb: 100 }), session({ cores: 1, memoryMb: 0, staged: true })],
        }),
        agent('a2'),
        agent('r1', { pool: 'rdp' }),
      ],
      queued: [{ pool: 'agents', cores: 3, memoryMb: 50, gpus: 1, since: new Date(T0).toISOString() }],
    });
    expect(demand.get('agents')).toEqual({ cores: 5, memoryMb: 150, gpus: 1 });
    expect(demand.get('rdp')).toEqual(zero);
  });
});

describe('predictive standby held as slots', () => {
  const slotted = (slot: Record<string, number>) =>
    agentConfig({
      standby: { cores: 0, memoryMb: 0, gpus: 0 },
      agent: { cores: 8, memoryMb: 16384, gpus: 0 },
      predictiveStandby: { quantile: 0.95, confidenceFloor: 12, learnFrom: 'history', slot },
    });
  const planWith = (
    config: ReturnType<typeof agentConfig>,
    instances: Parameters<typeof agent>[1][],
    growth: Resources,
  ) =>
    computeScalingPlan({
      config,
      snapshot: {
        at: new Date(T0).toISOString(),
        instances: instances.map((overrides, index) =>
          agent(`a${index}`, { capacity: { cores: 8, memoryMb: 16384, gpus: 0 }, ...overrides }),
        ),
        queued: [],
      },
      state: emptyPlannerState(),
      now: T0,
      demandProfiles: { 'agents/main': profileWith(growth) },
    }).plan.configs[0]!;

  test('fragments no predicted session fits do not hold the prediction; whole room does', () => {
    // Four agents with 3 free cores each: 12 free cores, more than the 8 predicted, but no 4-core session fits.
    const busy = Array.from({ length: 4 }, () => ({ sessions: [session({ cores: 5, memoryMb: 1024 })] }));
    const growth = { cores: 8, memoryMb: 0, gpus: 0 };
    const aggregate = agentConfig({
      standby: { cores: 0, memoryMb: 0, gpus: 0 },
      agent: { cores: 8, memoryMb: 16384, gpus: 0 },
      ...predictive,
    });
    expect(planWith(aggregate, busy, growth).create).toBe(0);
    const asSlots = planWith(slotted({ cores: 4, memoryMb: 0, gpus: 0 }), busy, growth);
    // 8 cores ÷ 4 = 2 slots of 4 cores: one new 8-core agent holds both.
    expect(asSlots.create).toBe(1);
    expect(asSlots.reasons[0]).toMatch(/held as 2 slot\(s\) of 4 cores, 0 MiB, 0 GPUs/);
    expect(asSlots.predictedStandby).toEqual(growth);
  });

  test('the count is rounded up by the resource that needs most, and a zero prediction holds nothing', () => {
    const config = slotted({ cores: 4, memoryMb: 4096, gpus: 0 });
    // 5 cores → 2 slots, 9000 MiB → 3 slots: 3 slots of 4 cores = 12 cores, two 8-core agents.
    expect(planWith(config, [], { cores: 5, memoryMb: 9000, gpus: 0 }).create).toBe(2);
    const none = planWith(config, [{}], zero);
    expect(none.create).toBe(0);
    expect(none.reasons[0]).toMatch(/held as 0 slot\(s\)/);
  });

  test('a slot shape with nothing in it is refused by path', () => {
    expect(() => slotted({ cores: 0, memoryMb: 0, gpus: 0 })).toThrow(
      /predictiveStandby\.slot: must give the slot at least one of cores, memoryMb or gpus above 0/,
    );
  });
});
