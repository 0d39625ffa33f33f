import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { FleetSnapshot, Instance } from '../model/instance.js';
import { computeScalingPlan } from './compute-scaling-plan.js';
import { agent, agentConfig, session, T0 } from './planner-fixtures.test-helpers.js';
import { emptyPlannerState, type PlannerState } from './planner-state.js';

const HOUR_MS = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

function stagingConfig(staging: Record<string, unknown> = {}, autoscale: Record<string, unknown> = {}) {
  return agentConfig(
    { standby: { cores: 0, memoryMb: 0, gpus: 0 }, ...autoscale },
    {
      staging: [
        {
          id: 'chrome',
          pool: 'agents',
          autoscale: 'main',
          workspace: 'chrome',
          desiredSessions: 3,
          expirationHours: 2,
          session: { cores: 1, memoryMb: 1024, gpus: 0 },
          ...staging,
        },
      ],
    },
  );
}

const staged = (id: string, createdMs: number, overrides: Record<string, unknown> = {}) =>
  session({ id, workspace: 'chrome', staged: true, createdAt: iso(createdMs), cores: 1, memoryMb: 1024, ...overrides });

const snapshotOf = (instances: Instance[], now = T0): FleetSnapshot => ({ at: iso(now), instances, queued: [] });

function plan(
  config: ReturnType<typeof stagingConfig>,
  snapshot: FleetSnapshot,
  state: PlannerState = emptyPlannerState(),
  now = T0,
) {
  return computeScalingPlan({ config, snapshot, state, now });
}

describe('staging plan', () => {
  test('stages the missing sessions on running agents by the spread rule, with reasons', () => {
    const snapshot = snapshotOf([agent('a1', { sessions: [staged('s1', T0 - HOUR_MS)] }), agent('a2')]);
    const { plan: result } = plan(stagingConfig(), snapshot);
    const [config] = result.staging.configs;
    expect(config).toMatchObject({
      staging: 'chrome',
      zone: 'default',
      desired: 3,
      staged: 1,
      pending: 0,
      active: true,
    });
    // a2 is empty (roomiest) and takes the first; then a1 (3/4 free) and a2 (3/4 free) tie → a1 by id.
    expect(result.staging.actions).toEqual([
      expect.objectContaining({ type: 'stage', instanceId: 'a2', count: 1, workspace: 'chrome' }),
      expect.objectContaining({ type: 'stage', instanceId: 'a1', count: 1 }),
    ]);
    expect(result.staging.actions[0]!.reason).toMatch(
      /^stage 1 × chrome .* on a2 in zone default: 1 staged, 0 pending, 0 expired; desiredSessions 3; placement spread$/,
    );
  });

  test('pack placement fills the fullest agent that fits', () => {
    const config = stagingConfig();
    const packed = { ...config, pools: config.pools.map((pool) => ({ ...pool, placement: 'pack' as const })) };
    const snapshot = snapshotOf([agent('a1', { sessions: [session({ cores: 2, memoryMb: 2048 })] }), agent('a2')]);
    const { plan: result } = plan(packed as typeof config, snapshot);
    expect(result.staging.actions).toEqual([
      expect.objectContaining({ type: 'stage', instanceId: 'a1', count: 2 }),
      expect.objectContaining({ type: 'stage', instanceId: 'a2', count: 1 }),
    ]);
  });

  test('expires staged sessions older than expirationHours and stages their replacements', () => {
    const snapshot = snapshotOf([
      agent('a1', {
        sessions: [staged('old', T0 - 3 * HOUR_MS), staged('s2', T0 - HOUR_MS), staged('s3', T0 - 60_000)],
      }),
    ]);
    const { plan: result } = plan(stagingConfig(), snapshot);
    const types = result.staging.actions.map(
      (action) => `${action.type}:${'sessionId' in action ? action.sessionId : action.count}`,
    );
    expect(types).toEqual(['expire-staged:old', 'stage:1']);
    expect(result.staging.actions[0]!.reason).toBe(
      'expire old on a1: unassigned for 3 h ≥ expirationHours 2; it is re-staged',
    );
  });

  test('removes unused staged sessions of an inactive config, and excess ones above desiredSessions', () => {
    const sessions = [
      staged('s1', T0 - HOUR_MS),
      staged('s2', T0 - 2000),
      session({ id: 'u', user: 'ann', workspace: 'chrome', staged: true }),
    ];
    const inactive = plan(stagingConfig({}, { enabled: false }), snapshotOf([agent('a1', { sessions })])).plan;
    expect(
      inactive.staging.actions.map((action) => action.type === 'remove-staged' && [action.sessionId, action.cause]),
    ).toEqual([
      ['s1', 'config-inactive'],
      ['s2', 'config-inactive'],
    ]);
    expect(inactive.staging.actions[0]!.reason).toMatch(
      /staging config chrome is inactive \(autoscale config agents\/main is disabled\)/,
    );
    const excess = plan(stagingConfig({ desiredSessions: 1 }), snapshotOf([agent('a1', { sessions })])).plan;
    expect(excess.staging.actions).toEqual([
      expect.objectContaining({ type: 'remove-staged', sessionId: 's1', cause: 'excess' }),
    ]);
  });

  test('removes staged sessions no staging config owns', () => {
    const snapshot = snapshotOf([
      agent('a1', {
        sessions: [staged('x', T0, { workspace: 'firefox' }), staged('y', T0, { stagingConfig: 'gone' })],
      }),
    ]);
    const { plan: result } = plan(stagingConfig({ desiredSessions: 0 }), snapshot);
    expect(result.staging.actions).toEqual([
      expect.objectContaining({ type: 'remove-staged', sessionId: 'x', staging: null, cause: 'unknown-config' }),
      expect.objectContaining({ type: 'remove-staged', sessionId: 'y', staging: null, cause: 'unknown-config' }),
    ]);
  });

  test('a step repeated on the same snapshot asks for nothing new; answered requests are dropped', () => {
    const snapshot = snapshotOf([agent('a1', { sessions: [staged('old', T0 - 3 * HOUR_MS)] })]);
    const first = plan(stagingConfig(), snapshot);
    expect(first.plan.staging.actions.length).toBeGreaterThan(0);
    const second = plan(stagingConfig(), snapshot, first.nextState, T0 + 10_000);
    expect(second.plan.staging.actions).toEqual([]);
    expect(second.plan.staging.configs[0]!.pending).toBe(3);
    expect(second.nextState.staging).toEqual(first.nextState.staging);
    // The control plane did it: old is gone, three new staged sessions exist.
    const done = snapshotOf([agent('a1', { sessions: [0, 1, 2].map((index) => staged(`n${index}`, T0 + 20_000)) })]);
    const third = plan(stagingConfig(), done, second.nextState, T0 + 30_000);
    expect(third.plan.staging.actions).toEqual([]);
    expect(third.nextState.staging).toBeUndefined();
    expect(third.plan.staging.configs[0]!.reasons).toEqual([
      'no action: 3 staged, 0 pending, 0 expired; desiredSessions 3',
    ]);
  });

  test('an unanswered request is asked again after requestTimeoutSeconds', () => {
    const snapshot = snapshotOf([agent('a1')]);
    const first = plan(stagingConfig({ requestTimeoutSeconds: 60 }), snapshot);
    const later = plan(stagingConfig({ requestTimeoutSeconds: 60 }), snapshot, first.nextState, T0 + 61_000);
    expect(later.plan.staging.actions).toEqual([
      expect.objectContaining({ type: 'stage', instanceId: 'a1', count: 3 }),
    ]);
    expect(later.plan.staging.configs[0]!.reasons[0]).toMatch(/did not appear \(timeout 60 s\); asking again/);
  });

  test('staging counts per zone: sessions in another zone do not count, agents of another zone get none', () => {
    const config = stagingConfig({}, { zone: 'east' });
    const snapshot = snapshotOf([
      agent('a1', { zone: 'west', sessions: [staged('w1', T0)] }),
      agent('a2', { sessions: [staged('e1', T0), staged('w2', T0, { zone: 'west' })] }),
    ]);
    const { plan: result } = plan(config, snapshot);
    expect(result.staging.configs[0]).toMatchObject({ zone: 'east', staged: 1 });
    expect(result.staging.actions).toEqual([
      expect.objectContaining({ type: 'stage', instanceId: 'a2', count: 2 }),
      // No config stages chrome in zone west.
      expect.objectContaining({ type: 'remove-staged', sessionId: 'w1', zone: 'west', cause: 'unknown-config' }),
      expect.objectContaining({ type: 'remove-staged', sessionId: 'w2', zone: 'west', cause: 'unknown-config' }),
    ]);
    // The need accounting counts per zone too: 2 missing × 1 core.
    expect(result.configs[0]!.reasons.join('\n')).toMatch(/staging 2 cores, 2048 MiB/);
  });

  test('no room: the stage is not planned and the autoscale config scales up for it', () => {
    const snapshot = snapshotOf([agent('a1', { sessions: [session({ cores: 4, memoryMb: 1024 })] })]);
    const { plan: result } = plan(stagingConfig(), snapshot);
    expect(result.staging.actions).toEqual([]);
    expect(result.staging.configs[0]!.reasons).toContain(
      "3 staged session(s) have no room on running agents of agents/main in zone default; the autoscale config's staging need asks for capacity",
    );
    expect(result.configs[0]!.create).toBe(1);
  });

  test('property: repeating a step on the same snapshot never asks for anything new', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 5 * 3600 }), { maxLength: 4 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 6 }),
        fc.boolean(),
        (agents, desired, enabled) => {
          const config = stagingConfig({ desiredSessions: desired }, { enabled });
          const snapshot = snapshotOf(
            agents.map((ages, index) =>
              agent(`a${index}`, { sessions: ages.map((age, slot) => staged(`s${index}-${slot}`, T0 - age * 1000)) }),
            ),
          );
          const first = plan(config, snapshot);
          const second = plan(config, snapshot, first.nextState, T0 + 1000);
          expect(second.plan.staging.actions).toEqual([]);
        },
      ),
      { seed: 19, numRuns: 200 },
    );
  });
});
