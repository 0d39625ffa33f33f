import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { HeadroomConfig } from '../config/config-schema.js';
import { parseConfig } from '../config/parse-config.js';
import { type FleetSnapshot, INSTANCE_STATES, type Instance } from '../model/instance.js';
import { RESOURCE_KEYS, type Resources } from '../model/resources.js';
import { computeScalingPlan } from './compute-scaling-plan.js';
import type { PlannerState } from './planner-state.js';

const T0 = Date.parse('2026-11-23T12:00:00Z');

const shapeArbitrary = fc.record({
  cores: fc.integer({ min: 0, max: 16 }),
  memoryMb: fc.integer({ min: 0, max: 8 }).map((n) => n * 1024),
  gpus: fc.integer({ min: 0, max: 2 }),
});

const scheduleArbitrary = fc.record({
  days: fc.subarray(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const, { minLength: 1 }),
  start: fc.constantFrom('00:00', '07:00', '12:00', '22:00'),
  end: fc.constantFrom('06:00', '12:00', '18:00', '24:00'),
  timezone: fc.constantFrom('UTC', 'America/New_York', 'Asia/Kathmandu'),
});

const commonAutoscale = (index: number) => ({
  id: fc.constant(`as${index}`),
  provider: fc.constantFrom('p0', 'p1'),
  enabled: fc.boolean(),
  aggressiveScaling: fc.boolean(),
  requireCheckin: fc.boolean(),
  downscaleBackoffSeconds: fc.constantFrom(0, 60, 600),
  schedules: fc.oneof(fc.constant([]), fc.array(scheduleArbitrary, { minLength: 1, maxLength: 2 })),
});
const agentAutoscaleArbitrary = (index: number) =>
  fc.record({
    ...commonAutoscale(index),
    standby: shapeArbitrary,
    agent: shapeArbitrary.filter((shape) => shape.cores + shape.memoryMb + shape.gpus > 0),
  });
const serverAutoscaleArbitrary = (index: number) =>
  fc.record({
    ...commonAutoscale(index),
    minimumAvailableSessions: fc.integer({ min: 0, max: 12 }),
    maxSessionsPerServer: fc.integer({ min: 1, max: 5 }),
    maxUsersPerServer: fc.integer({ min: 1, max: 5 }),
  });

const configArbitrary: fc.Arbitrary<HeadroomConfig> = fc
  .record({
    max0: fc.integer({ min: 0, max: 12 }),
    max1: fc.integer({ min: 0, max: 12 }),
    pools: fc.array(
      fc.oneof(
        fc
          .tuple(agentAutoscaleArbitrary(0), agentAutoscaleArbitrary(1))
          .map((autoscale) => ({ kind: 'docker-agent' as const, autoscale })),
        fc
          .tuple(serverAutoscaleArbitrary(0), serverAutoscaleArbitrary(1))
          .map((autoscale) => ({ kind: 'server' as const, autoscale })),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  })
  .map(({ max0, max1, pools }) =>
    parseConfig({
      providers: { p0: { type: 'fake', maxInstances: max0 }, p1: { type: 'fake', maxInstances: max1 } },
      pools: pools.map((pool, index) => ({ id: `pool${index}`, ...pool })),
    }),
  );

function fleetArbitrary(config: HeadroomConfig): fc.Arbitrary<FleetSnapshot> {
  const owners = config.pools.flatMap((pool) => pool.autoscale.map((autoscale) => ({ pool: pool.id, autoscale })));
  const instance = fc
    .record({
      owner: fc.constantFrom(...owners),
      state: fc.constantFrom(...INSTANCE_STATES),
      checkedIn: fc.boolean(),
      ageSeconds: fc.integer({ min: 0, max: 7200 }),
      sessions: fc.array(
        fc.record({
          user: fc.constantFrom('ann', 'bob', 'cy', undefined),
          cores: fc.integer({ min: 0, max: 4 }),
          memoryMb: fc.integer({ min: 0, max: 4096 }),
          gpus: fc.integer({ min: 0, max: 1 }),
          staged: fc.boolean(),
        }),
        { maxLength: 4 },
      ),
    })
    .map(
      ({ owner, state, checkedIn, ageSeconds, sessions }): Omit<Instance, 'id'> => ({
        pool: owner.pool,
        autoscale: owner.autoscale.id,
        provider: owner.autoscale.provider,
        state,
        checkedIn,
        createdAt: new Date(T0 - ageSeconds * 1000).toISOString(),
        capacity: ('agent' in owner.autoscale ? owner.autoscale.agent : undefined) ?? {
          cores: 2,
          memoryMb: 2048,
          gpus: 0,
        },
        sessions: sessions.map((session, sessionIndex) => ({ id: `s${sessionIndex}`, ...session, workspace: 'desk' })),
      }),
    );
  return fc
    .record({
      instances: fc.array(instance, { maxLength: 14 }),
      queued: fc.array(
        fc.record({
          pool: fc.constantFrom(...config.pools.map((pool) => pool.id)),
          cores: fc.integer({ min: 0, max: 4 }),
          memoryMb: fc.integer({ min: 0, max: 4096 }),
          gpus: fc.constant(0),
        }),
        { maxLength: 4 },
      ),
    })
    .map(({ instances, queued }) => ({
      at: new Date(T0).toISOString(),
      instances: instances.map((instance, index): Instance => ({ id: `i${index}`, ...instance })),
      queued: queued.map((request) => ({ ...request, since: new Date(T0 - 30_000).toISOString() })),
    }));
}

const stateArbitrary: fc.Arbitrary<PlannerState> = fc
  .record({
    surplusAgoSeconds: fc.option(fc.integer({ min: 0, max: 1200 })),
    failures: fc.integer({ min: 0, max: 3 }),
    blockedForSeconds: fc.option(fc.integer({ min: -60, max: 60 })),
  })
  .map(({ surplusAgoSeconds, failures, blockedForSeconds }) => {
    const entry = {
      surplusSince: surplusAgoSeconds === null ? null : new Date(T0 - surplusAgoSeconds * 1000).toISOString(),
      consecutiveFailures: failures,
      lastFailureAt: failures ? new Date(T0 - 120_000).toISOString() : null,
      createBlockedUntil: blockedForSeconds === null ? null : new Date(T0 + blockedForSeconds * 1000).toISOString(),
    };
    const autoscale: PlannerState['autoscale'] = {};
    for (let pool = 0; pool < 3; pool += 1)
      for (let index = 0; index < 2; index += 1) autoscale[`pool${pool}/as${index}`] = entry;
    return { autoscale };
  });

const scenario = configArbitrary.chain((config) =>
  fc.record({
    config: fc.constant(config),
    snapshot: fleetArbitrary(config),
    state: stateArbitrary,
    nowOffsetSeconds: fc.integer({ min: 0, max: 7 * 86400 }),
  }),
);

const runs = { numRuns: 400 };

describe('planner invariants (fast-check)', () => {
  test('a plan never exceeds maxInstances of any provider', () => {
    fc.assert(
      fc.property(scenario, ({ config, snapshot, state, nowOffsetSeconds }) => {
        const { plan } = computeScalingPlan({ config, snapshot, state, now: T0 + nowOffsetSeconds * 1000 });
        for (const [providerId, provider] of Object.entries(config.providers)) {
          const existing = snapshot.instances.filter((instance) => instance.provider === providerId).length;
          const creates = plan.configs.filter((c) => c.provider === providerId).reduce((sum, c) => sum + c.create, 0);
          if (creates > 0) expect(existing + creates).toBeLessThanOrEqual(provider.maxInstances);
        }
      }),
      runs,
    );
  });

  test('a plan never destroys an instance that has sessions, and only its own config’s instances', () => {
    fc.assert(
      fc.property(scenario, ({ config, snapshot, state, nowOffsetSeconds }) => {
        const { plan } = computeScalingPlan({ config, snapshot, state, now: T0 + nowOffsetSeconds * 1000 });
        const byId = new Map(snapshot.instances.map((instance) => [instance.id, instance]));
        for (const configPlan of plan.configs) {
          expect(new Set(configPlan.destroy).size).toBe(configPlan.destroy.length);
          for (const id of configPlan.destroy) {
            const instance = byId.get(id)!;
            expect(instance.sessions).toHaveLength(0);
            expect([instance.pool, instance.autoscale]).toEqual([configPlan.pool, configPlan.autoscale]);
            expect(configPlan.enabled).toBe(true);
          }
        }
      }),
      runs,
    );
  });

  test('after planned creates count as pending, no active config is left in deficit unless capped or unsatisfiable', () => {
    fc.assert(
      fc.property(scenario, ({ config, snapshot, state, nowOffsetSeconds }) => {
        const { plan } = computeScalingPlan({ config, snapshot, state, now: T0 + nowOffsetSeconds * 1000 });
        for (const configPlan of plan.configs) {
          if (!configPlan.active || configPlan.capped) continue;
          const pool = config.pools.find((p) => p.id === configPlan.pool)!;
          const autoscale = pool.autoscale.find((a) => a.id === configPlan.autoscale)!;
          if (configPlan.kind === 'server' && 'maxSessionsPerServer' in autoscale) {
            const perServer = Math.min(autoscale.maxSessionsPerServer, autoscale.maxUsersPerServer);
            expect(
              (configPlan.deficit as { sessions: number }).sessions - configPlan.create * perServer,
            ).toBeLessThanOrEqual(0);
          } else {
            const agent = autoscale.agent as Resources;
            const deficit = configPlan.deficit as Resources;
            for (const key of RESOURCE_KEYS) {
              if (configPlan.unsatisfiable.includes(key)) continue;
              expect(deficit[key] - configPlan.create * agent[key]).toBeLessThanOrEqual(1e-6);
            }
          }
        }
      }),
      runs,
    );
  });

  test('plans are deterministic and do not mutate their inputs', () => {
    fc.assert(
      fc.property(scenario, ({ config, snapshot, state, nowOffsetSeconds }) => {
        const before = JSON.stringify({ config, snapshot, state });
        const now = T0 + nowOffsetSeconds * 1000;
        const first = computeScalingPlan({ config, snapshot, state, now });
        const second = computeScalingPlan({
          config,
          snapshot: structuredClone(snapshot),
          state: structuredClone(state),
          now,
        });
        expect(second).toEqual(first);
        expect(JSON.stringify({ config, snapshot, state })).toBe(before);
      }),
      { numRuns: 150 },
    );
  });
});
