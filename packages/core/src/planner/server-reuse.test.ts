import { describe, expect, test } from 'vitest';
import type { Instance } from '../model/instance.js';
import { parseSnapshot } from '../model/snapshot-schema.js';
import { computeScalingPlan } from './compute-scaling-plan.js';
import { server, serverConfig, session, T0 } from './planner-fixtures.test-helpers.js';
import { emptyPlannerState } from './planner-state.js';

const plan = (config: ReturnType<typeof serverConfig>, instances: Instance[]) =>
  computeScalingPlan({
    config,
    snapshot: { at: new Date(T0).toISOString(), instances, queued: [] },
    state: emptyPlannerState(),
    now: T0,
  }).plan.configs[0]!;

describe('reusable: false (a server whose session ended is not reused)', () => {
  // minimum 2 free sessions, 1 session / 1 user per server.
  const limits = { minimumAvailableSessions: 2, maxSessionsPerServer: 1, maxUsersPerServer: 1 };

  test('an empty server whose session ended is destroyed at once and replaced', () => {
    const fleet = [server('used', { sessionEnded: true }), server('fresh')];
    const result = plan(serverConfig({ ...limits, reusable: false }), fleet);
    expect(result.destroy).toEqual(['used']);
    expect(result.available).toEqual({ sessions: 1 });
    expect(result.create).toBe(1);
    expect(result.reasons.join(' ')).toMatch(/destroy used: not reusable \(reusable: false\) and its session ended/);
  });

  test('with sessions it is kept but offers no free session', () => {
    const limitsForTwo = { ...limits, maxSessionsPerServer: 2, maxUsersPerServer: 2, reusable: false };
    const fleet = [server('used', { sessionEnded: true, sessions: [session({ user: 'ann' })] })];
    const result = plan(serverConfig(limitsForTwo), fleet);
    expect(result.destroy).toEqual([]);
    expect(result.available).toEqual({ sessions: 0 });
    expect(result.create).toBe(1);
  });

  test('a reusable server (the default) takes new sessions after one ended', () => {
    const result = plan(serverConfig(limits), [server('used', { sessionEnded: true }), server('fresh')]);
    expect(result.destroy).toEqual([]);
    expect(result.available).toEqual({ sessions: 2 });
    expect(result.create).toBe(0);
  });

  test('a server whose session has not ended yet counts as usual', () => {
    const result = plan(serverConfig({ ...limits, reusable: false }), [server('a'), server('b')]);
    expect(result.destroy).toEqual([]);
    expect(result.available).toEqual({ sessions: 2 });
  });

  test('the snapshot carries sessionEnded', () => {
    const parsed = parseSnapshot({
      at: '2026-11-23T12:00:00Z',
      instances: [
        {
          id: 'a',
          pool: 'rdp',
          autoscale: 'main',
          state: 'running',
          createdAt: '2026-11-23T10:00:00Z',
          capacity: {},
          sessionEnded: true,
        },
      ],
    });
    expect(parsed.instances[0]!.sessionEnded).toBe(true);
  });
});

describe('agentInstalled', () => {
  test('dynamic user accounts need the agent: refused without agentInstalled, naming the field', () => {
    expect(() => serverConfig({ connection: { type: 'rdp', credentialType: 'dynamic' } })).toThrow(
      /pools\[0\]\.autoscale\[0\]\.agentInstalled: must be true for connection\.credentialType dynamic/,
    );
    const config = serverConfig({ agentInstalled: true, connection: { type: 'rdp', credentialType: 'dynamic' } });
    expect(config.pools[0]!.autoscale[0]).toMatchObject({ agentInstalled: true, reusable: true });
  });
});
