import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../errors/config-error.js';
import type { Instance } from '../model/instance.js';
import { RESOURCE_KEYS, type Resources } from '../model/resources.js';
import { computeScalingPlan } from './compute-scaling-plan.js';
import { freeRoomOf } from './drain-choice.js';
import { agent, agentConfig, server, serverConfig, session, T0 } from './planner-fixtures.test-helpers.js';
import { emptyPlannerState, type PlannerState } from './planner-state.js';
import { fitStandbySlots } from './standby-slots.js';

const noStandby = { cores: 0, memoryMb: 0, gpus: 0 };
const planAt = (
  config: ReturnType<typeof agentConfig>,
  instances: Instance[],
  options: { state?: PlannerState; now?: number } = {},
) =>
  computeScalingPlan({
    config,
    snapshot: { at: new Date(T0).toISOString(), instances, queued: [] },
    state: options.state ?? emptyPlannerState(),
    now: options.now ?? T0,
  });
/** Plans twice: once to start the surplus clock, once after the backoff. */
const planAfterBackoff = (config: ReturnType<typeof agentConfig>, instances: Instance[]) => {
  const first = planAt(config, instances);
  return planAt(config, instances, { state: first.nextState, now: T0 + 600_000 }).plan.configs[0]!;
};

describe('standby slots', () => {
  const slotStandby = (count: number) => ({ ...noStandby, slots: [{ cores: 3, memoryMb: 4096, count }] });

  test('fragments no slot fits do not count: 3 free cores on each of two agents hold no 4-core slot', () => {
    const config = agentConfig({ standby: { ...noStandby, slots: [{ cores: 4, memoryMb: 1024, count: 1 }] } });
    const busy = [agent('a1', { sessions: [session()] }), agent('a2', { sessions: [session()] })];
    const result = planAt(config, busy).plan.configs[0]!;
    expect(result.create).toBe(1);
    expect(result.reasons[0]).toMatch(
      /standby slots need 1 new agent\(s\) \(1 slot session\(s\) fit on no running or pending agent\)/,
    );
    expect(result.reasons[0]).toMatch(/0 of 1 fit on running agents, 0 on pending, 1 need new agents/);
  });

  test('slots are counted per instance by first fit, running agents by id, then pending, then new agents', () => {
    const fit = fitStandbySlots({
      slots: [{ cores: 2, memoryMb: 0, gpus: 0, count: 5 }],
      running: [
        { id: 'b', free: { cores: 3, memoryMb: 0, gpus: 0 } },
        { id: 'a', free: { cores: 4, memoryMb: 0, gpus: 0 } },
      ],
      pending: [{ id: 'p', free: { cores: 4, memoryMb: 0, gpus: 0 } }],
      queued: [{ cores: 3, memoryMb: 0, gpus: 0 }],
      agent: { cores: 4, memoryMb: 0, gpus: 0 },
    });
    // a: 2 slots, b: 1 slot, p: the queued request (3 cores) leaves 1: none, then 2 slots on one new agent.
    expect(fit).toMatchObject({ sessions: 5, onRunning: 3, onPending: 0, onNew: 2, newAgents: 1 });
  });

  test('scale-down keeps the agents the slots need', () => {
    const config = agentConfig({ standby: slotStandby(2) });
    const idle = [agent('a1'), agent('a2'), agent('a3')];
    const result = planAfterBackoff(config, idle);
    // One 4-core agent holds one 3-core slot: two of the three idle agents stay.
    expect(result.destroy).toEqual(['a1']);
  });

  test('a slot larger than the agent is unsatisfiable: a warning, no creates', () => {
    const config = agentConfig({ standby: { ...noStandby, slots: [{ cores: 8, count: 2 }] } });
    const result = planAt(config, []).plan.configs[0]!;
    expect(result.create).toBe(0);
    expect(result.warnings.join()).toMatch(/unsatisfiable standby slot: 2 × \(8 cores, 0 MiB, 0 GPUs\) fits no agent/);
  });

  test('the config names a bad slot by path', () => {
    expect(() => agentConfig({ standby: { slots: [{ cores: 0, count: 0 }] } })).toThrow(ConfigError);
    try {
      agentConfig({ standby: { slots: [{ cores: 1, count: 0 }] } });
    } catch (error) {
      expect((error as Error).message).toMatch(/pools\[0\]\.autoscale\[0\]\.standby\.slots\[0\]\.count: must be ≥ 1/);
    }
  });
});

describe('drain and undrain', () => {
  const config = agentConfig({ drain: true, standby: { cores: 4, memoryMb: 0, gpus: 0 } });
  const light = (id: string) => agent(id, { sessions: [session({ cores: 1, memoryMb: 1024 })] });
  const heavy = (id: string) => agent(id, { sessions: [session({ cores: 3, memoryMb: 1024 })] });

  test('no idle agent but a surplus that lasted the backoff: the emptiest agents are drained, within the surplus', () => {
    // Free: a1 3, a2 3, h1 1 core = 7; need 4: draining a1 leaves 4 (enough); a2 would leave 1.
    const instances = [heavy('h1'), light('a2'), light('a1')];
    const first = planAt(config, instances).plan.configs[0]!;
    expect(first.drain).toEqual([]);
    expect(first.reasons.join()).toMatch(
      /surplus of 1 agent\(s\) to drain for 0 s; waiting for downscale backoff 600 s/,
    );
    const result = planAfterBackoff(config, instances);
    expect(result.drain).toEqual(['a1']);
    expect(result.destroy).toEqual([]);
    expect(result.actions).toContainEqual(
      expect.objectContaining({
        type: 'drain',
        instanceId: 'a1',
        reason: expect.stringMatching(
          /^drain a1: no agent is idle; its 3 cores, 7168 MiB, 0 GPUs free are not needed \(1 session\(s\) stay until they end\)/,
        ),
      }),
    );
  });

  test('a draining agent is destroyed once empty, at once; one with sessions is kept', () => {
    const result = planAt(config, [
      agent('d1', { state: 'draining' }),
      agent('d2', { state: 'draining', sessions: [session()] }),
      agent('a1'),
    ]).plan.configs[0]!;
    expect(result.destroy).toEqual(['d1']);
    expect(result.reasons).toContain('scale down d1: drained and now empty');
  });

  test('demand returns before they empty: the roomiest draining agent is undrained instead of a boot', () => {
    const result = planAt(config, [
      heavy('h1'),
      agent('d1', { state: 'draining', sessions: [session({ cores: 1 })] }),
      agent('d2', { state: 'draining', sessions: [session({ cores: 3 })] }),
    ]).plan.configs[0]!;
    expect(result.undrain).toEqual(['d1']);
    expect(result.create).toBe(0);
    expect(result.reasons[0]).toMatch(/^undrain d1: 3 cores, 6144 MiB, 0 GPUs free on it/);
  });

  test("an operator's drain is never undrained by the planner: the next agent boots, or the other one comes back", () => {
    const operatorOnly = planAt(config, [
      heavy('h1'),
      { ...agent('d1', { state: 'draining', sessions: [session({ cores: 1 })] }), drainedByOperator: true },
    ]).plan.configs[0]!;
    expect(operatorOnly.undrain).toEqual([]);
    expect(operatorOnly.create).toBe(1);
    const mixed = planAt(config, [
      heavy('h1'),
      { ...agent('d1', { state: 'draining', sessions: [session({ cores: 1 })] }), drainedByOperator: true },
      agent('d2', { state: 'draining', sessions: [session({ cores: 1 })] }),
    ]).plan.configs[0]!;
    expect(mixed.undrain).toEqual(['d2']);
    expect(mixed.create).toBe(0);
  });
});

describe('server pools drain and undrain', () => {
  const config = (drain: boolean) =>
    serverConfig({ minimumAvailableSessions: 2, maxSessionsPerServer: 4, maxUsersPerServer: 4, drain });
  const withSessions = (id: string, count: number, overrides: Partial<Instance> = {}) =>
    server(id, { sessions: Array.from({ length: count }, () => session()), ...overrides });
  const planServersAfterBackoff = (drain: boolean, instances: Instance[]) => {
    const first = planAt(config(drain), instances);
    return planAt(config(drain), instances, { state: first.nextState, now: T0 + 600_000 }).plan.configs[0]!;
  };

  test('a lasting surplus of free sessions with no idle server drains the servers whose free sessions it covers', () => {
    // Free 3 + 1 = 4, need 2: a surplus of 2 covers s2 (1 free) but not s1 (3 free).
    const fleet = [withSessions('s1', 1), withSessions('s2', 3)];
    const drained = planServersAfterBackoff(true, fleet);
    expect(drained.drain).toEqual(['s2']);
    expect(drained.destroy).toEqual([]);
    expect(drained.reasons.find((reason) => reason.startsWith('drain s2'))).toMatch(
      /^drain s2: no server is idle; its 1 free session\(s\) are not needed \(3 session\(s\) stay until they end\)/,
    );
    expect(planServersAfterBackoff(false, fleet).drain).toEqual([]);
  });

  test('demand returns: a server the planner drained is undrained instead of a new one; an operator drain stays', () => {
    const planned = planAt(config(true), [withSessions('s1', 3), withSessions('s2', 1, { state: 'draining' })]).plan
      .configs[0]!;
    expect(planned.undrain).toEqual(['s2']);
    expect(planned.create).toBe(0);
    expect(planned.available).toEqual({ sessions: 4 });
    const byOperator = planAt(config(true), [
      withSessions('s1', 3),
      withSessions('s2', 1, { state: 'draining', drainedByOperator: true }),
    ]).plan.configs[0]!;
    expect(byOperator.undrain).toEqual([]);
    expect(byOperator.create).toBe(1);
  });

  test('a drained server that emptied is destroyed at once', () => {
    const result = planAt(config(false), [withSessions('s1', 0), server('s3', { state: 'draining' })]).plan.configs[0]!;
    expect(result.destroy).toEqual(['s3']);
    expect(result.reasons).toContain('scale down s3: drained and now empty');
  });
});

const size = fc.record({
  cores: fc.integer({ min: 0, max: 4 }),
  memoryMb: fc.integer({ min: 0, max: 4 }).map((n) => n * 1024),
  gpus: fc.constant(0),
});

describe('drain invariants (fast-check)', () => {
  test('never more drained than the surplus; only busy running agents drained; never a busy agent destroyed', () => {
    fc.assert(
      fc.property(
        size,
        fc.array(
          fc.record({ state: fc.constantFrom('running', 'draining' as const), used: fc.array(size, { maxLength: 3 }) }),
          {
            maxLength: 10,
          },
        ),
        fc.constantFrom(0, 1, 2),
        (standby, agents, slotCount) => {
          const config = agentConfig({
            downscaleBackoffSeconds: 0,
            drain: true,
            standby: { ...standby, slots: slotCount ? [{ cores: 2, memoryMb: 1024, count: slotCount }] : [] },
            agent: { cores: 8, memoryMb: 8192, gpus: 0 },
          });
          const instances = agents.map(({ state, used }, index) =>
            agent(`a${index}`, {
              state,
              capacity: { cores: 8, memoryMb: 8192, gpus: 0 },
              sessions: used.map((sessionSize) => session(sessionSize)),
            }),
          );
          const result = planAt(config, instances).plan.configs[0]!;
          const byId = new Map(instances.map((instance) => [instance.id, instance]));
          const drained: Resources = { cores: 0, memoryMb: 0, gpus: 0 };
          for (const id of result.drain) {
            const instance = byId.get(id)!;
            expect(instance.state).toBe('running');
            expect(instance.sessions.length).toBeGreaterThan(0);
            const free = freeRoomOf(instance);
            for (const key of RESOURCE_KEYS) drained[key] += free[key];
          }
          for (const key of RESOURCE_KEYS) {
            if (result.drain.length > 0)
              expect(drained[key]).toBeLessThanOrEqual(-(result.deficit as Resources)[key] + 1e-6);
          }
          if (result.drain.length > 0) expect(result.create).toBe(0);
          for (const id of result.destroy) expect(byId.get(id)!.sessions).toHaveLength(0);
          for (const id of result.undrain) expect(byId.get(id)!.state).toBe('draining');
          expect(result.drain.filter((id) => result.undrain.includes(id))).toEqual([]);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('fitStandbySlots first fit', () => {
  /** The plain O(rooms × sessions) first fit the cursors must agree with. */
  const naiveFit = (options: Parameters<typeof fitStandbySlots>[0]) => {
    const fits = (size: Resources, room: Resources) => RESOURCE_KEYS.every((key) => size[key] <= room[key] + 1e-9);
    const take = (room: Resources, size: Resources) => {
      if (!fits(size, room)) return false;
      for (const key of RESOURCE_KEYS) room[key] -= size[key];
      return true;
    };
    const sorted = (rooms: readonly { id: string; free: Resources }[]) =>
      [...rooms].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((room) => ({ ...room.free }));
    const running = sorted(options.running);
    const pending = sorted(options.pending);
    const fresh: Resources[] = [];
    const onNew = (size: Resources) => {
      if (fresh.some((room) => take(room, size))) return;
      const room = { ...options.agent };
      take(room, size);
      fresh.push(room);
    };
    for (const request of options.queued) {
      if (!fits(request, options.agent)) continue;
      if (!pending.some((room) => take(room, request))) onNew(request);
    }
    let onRunning = 0;
    let onPending = 0;
    for (const slot of options.slots) {
      if (!fits(slot, options.agent)) continue;
      for (let index = 0; index < slot.count; index++) {
        if (running.some((room) => take(room, slot))) onRunning++;
        else if (pending.some((room) => take(room, slot))) onPending++;
        else onNew(slot);
      }
    }
    return { onRunning, onPending, newAgents: fresh.length };
  };

  test('one cursor per list places exactly as the plain first fit', () => {
    const size = fc.record({
      cores: fc.integer({ min: 0, max: 8 }),
      memoryMb: fc.integer({ min: 0, max: 8 }),
      gpus: fc.constant(0),
    });
    const rooms = fc.array(fc.record({ id: fc.string({ maxLength: 3 }), free: size }), { maxLength: 12 });
    fc.assert(
      fc.property(
        rooms,
        rooms,
        fc.array(size, { maxLength: 4 }),
        fc.array(
          fc.record({
            cores: fc.integer({ min: 1, max: 8 }),
            memoryMb: fc.integer({ min: 0, max: 8 }),
            gpus: fc.constant(0),
            count: fc.integer({ min: 1, max: 6 }),
          }),
          { maxLength: 3 },
        ),
        (running, pending, queued, slots) => {
          const options = { running, pending, queued, slots, agent: { cores: 8, memoryMb: 8, gpus: 0 } };
          expect(fitStandbySlots(options)).toMatchObject(naiveFit(options));
        },
      ),
    );
  });
});
