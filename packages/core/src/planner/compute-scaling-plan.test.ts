import { describe, expect, test } from 'vitest';
import { type FleetSnapshot, type Instance, STATIC_MEMBER } from '../model/instance.js';
import { parseSnapshot } from '../model/snapshot-schema.js';
import { computeScalingPlan } from './compute-scaling-plan.js';
import { agent, agentConfig, server, serverConfig, session, T0 } from './planner-fixtures.test-helpers.js';
import { emptyPlannerState, type PlannerState } from './planner-state.js';

const snapshot = (instances: Instance[], queued: FleetSnapshot['queued'] = []): FleetSnapshot => ({
  at: new Date(T0).toISOString(),
  instances,
  queued,
});
const plan = (
  config: ReturnType<typeof agentConfig>,
  instances: Instance[],
  options: { state?: PlannerState; now?: number; queued?: FleetSnapshot['queued'] } = {},
) =>
  computeScalingPlan({
    config,
    snapshot: snapshot(instances, options.queued),
    state: options.state ?? emptyPlannerState(),
    now: options.now ?? T0,
  });

describe('docker-agent scale up', () => {
  test('empty pool: deficit per resource, count from the largest ratio', () => {
    const { plan: result } = plan(agentConfig(), []);
    const config = result.configs[0]!;
    expect(config.need).toEqual({ cores: 8, memoryMb: 16384, gpus: 0 });
    expect(config.deficit).toEqual({ cores: 8, memoryMb: 16384, gpus: 0 });
    expect(config.create).toBe(2);
    expect(config.reasons.join('\n')).toMatch(/scale up by 2: cores deficit 8 \/ agent 4 → 2/);
  });

  test('memory drives the count when it is the scarcer resource', () => {
    const config = agentConfig({ standby: { cores: 2, memoryMb: 32768, gpus: 0 } });
    expect(plan(config, []).plan.configs[0]!.create).toBe(4);
  });

  test('available is capacity minus reservations (staged included), floored at 0 per resource', () => {
    const busy = agent('a1', {
      sessions: [session({ cores: 3, memoryMb: 1024 }), session({ cores: 3, memoryMb: 1024, staged: true })],
    });
    const idle = agent('a2');
    const { plan: result } = plan(agentConfig(), [busy, idle]);
    expect(result.configs[0]!.available).toEqual({ cores: 4, memoryMb: 8192 + 8192 - 2048, gpus: 0 });
    expect(result.configs[0]!.deficit).toEqual({ cores: 4, memoryMb: 16384 - 14336, gpus: 0 });
    expect(result.configs[0]!.create).toBe(1);
  });

  test('pending capacity of starting instances counts and prevents double creation', () => {
    const starting = [
      agent('p1', { state: 'creating', checkedIn: false }),
      agent('p2', { state: 'starting', checkedIn: false }),
    ];
    const { plan: result } = plan(agentConfig(), starting);
    expect(result.configs[0]!.pending).toEqual({ cores: 8, memoryMb: 16384, gpus: 0 });
    expect(result.configs[0]!.create).toBe(0);
  });

  test('draining instances offer nothing until undrained: a deficit takes them back before booting', () => {
    const { plan: result } = plan(agentConfig(), [agent('d1', { state: 'draining' })]);
    // Need 8 cores: d1 (4 free) comes back, one new agent for the rest.
    expect(result.configs[0]!.undrain).toEqual(['d1']);
    expect(result.configs[0]!.available).toEqual({ cores: 4, memoryMb: 8192, gpus: 0 });
    expect(result.configs[0]!.create).toBe(1);
  });

  test('queued requests count only with aggressive scaling', () => {
    const queued = [{ pool: 'agents', cores: 4, memoryMb: 4096, gpus: 0, since: '2026-11-23T11:59:00Z' }];
    expect(plan(agentConfig(), [], { queued }).plan.configs[0]!.need).toEqual({ cores: 8, memoryMb: 16384, gpus: 0 });
    const aggressive = plan(agentConfig({ aggressiveScaling: true }), [], { queued }).plan.configs[0]!;
    expect(aggressive.need).toEqual({ cores: 12, memoryMb: 20480, gpus: 0 });
    expect(aggressive.create).toBe(3);
  });

  test('queued requests are served by new or pending capacity, not by free capacity scattered over agents', () => {
    const config = agentConfig({ aggressiveScaling: true, standby: { cores: 2, memoryMb: 0, gpus: 0 } });
    // Two agents with 3 free cores each: 6 free cores in all, but the 4-core request fits on neither.
    const fragmented = [agent('a1', { sessions: [session()] }), agent('a2', { sessions: [session()] })];
    const queued = [{ pool: 'agents', cores: 4, memoryMb: 1024, gpus: 0, since: '2026-11-23T11:59:00Z' }];
    const result = plan(config, fragmented, { queued }).plan.configs[0]!;
    expect(result.deficit).toEqual({ cores: 0, memoryMb: 1024 - (8192 - 2048) * 2, gpus: 0 });
    expect(result.create).toBe(1);
    expect(result.reasons.join()).toMatch(/cores deficit \(queued requests fit on no running agent\) 4 \/ agent 4 → 1/);
    // A pending agent covers the queued request: no second create.
    const booting = [
      ...fragmented,
      agent('p1', { state: 'starting', checkedIn: false, createdAt: new Date(T0 - 30_000).toISOString() }),
    ];
    expect(plan(config, booting, { queued }).plan.configs[0]!.create).toBe(0);
    // Without a queue the free capacity counts as before, and it is not removed while requests wait.
    expect(plan(config, fragmented).plan.configs[0]!.create).toBe(0);
  });

  test('staging need: missing staged sessions times the session size', () => {
    const config = agentConfig(
      { standby: { cores: 0, memoryMb: 0, gpus: 0 } },
      {
        staging: [
          {
            id: 'chrome',
            pool: 'agents',
            autoscale: 'main',
            workspace: 'chrome',
            desiredSessions: 5,
            session: { cores: 1, memoryMb: 2048, gpus: 0 },
          },
        ],
      },
    );
    const staged = agent('a1', {
      sessions: [session({ workspace: 'chrome', staged: true }), session({ workspace: 'chrome', staged: true })],
    });
    const result = plan(config, [staged]).plan.configs[0]!;
    expect(result.need).toEqual({ cores: 3, memoryMb: 6144, gpus: 0 });
    expect(result.available).toEqual({ cores: 2, memoryMb: 4096, gpus: 0 });
    expect(result.create).toBe(1);
    const full = agent('a1', {
      sessions: Array.from({ length: 6 }, () =>
        session({ workspace: 'chrome', staged: true, cores: 0.5, memoryMb: 512 }),
      ),
    });
    expect(plan(config, [full]).plan.configs[0]!.need).toEqual({ cores: 0, memoryMb: 0, gpus: 0 });
  });

  test('a GPU deficit on a GPU-less agent is unsatisfiable, not looped on', () => {
    const result = plan(agentConfig({ standby: { cores: 0, memoryMb: 0, gpus: 2 } }), []).plan.configs[0]!;
    expect(result.unsatisfiable).toEqual(['gpus']);
    expect(result.create).toBe(0);
    expect(result.warnings.join()).toMatch(/unsatisfiable: deficit in gpus 2/);
  });

  test('maxInstances is never exceeded, counting every state and every config of the provider', () => {
    const config = agentConfig({ standby: { cores: 100, memoryMb: 0, gpus: 0 } });
    const existing = Array.from({ length: 17 }, (_, index) =>
      agent(`a${index}`, { state: index % 2 ? 'destroying' : 'failed', sessions: [session()] }),
    );
    const result = plan(config, existing).plan.configs[0]!;
    expect(result.create).toBe(3);
    expect(result.capped).toBe(true);
    expect(result.reasons.join()).toMatch(/capped to 3 by provider cloud maxInstances 20 \(17 exist/);
  });

  test('two configs sharing a provider split the remaining room in config order', () => {
    const config = agentConfig({}, {});
    const shared = structuredClone(config);
    const first = shared.pools[0]!;
    if (first.kind !== 'docker-agent') throw new Error('fixture');
    first.autoscale.push({ ...first.autoscale[0]!, id: 'second' });
    shared.providers.cloud!.maxInstances = 3;
    const result = computeScalingPlan({
      config: shared,
      snapshot: snapshot([]),
      state: emptyPlannerState(),
      now: T0,
    }).plan;
    expect(result.configs.map((c) => c.create)).toEqual([2, 1]);
    expect(result.configs[1]!.capped).toBe(true);
  });
});

describe('docker-agent scale down', () => {
  const surplusFleet = [
    agent('old', { createdAt: '2026-11-23T08:00:00Z' }),
    agent('mid', { createdAt: '2026-11-23T09:00:00Z' }),
    agent('new', { createdAt: '2026-11-23T10:00:00Z' }),
  ];

  test('surplus starts the backoff clock and destroys nothing yet', () => {
    const { plan: result, nextState } = plan(agentConfig(), surplusFleet);
    expect(result.configs[0]!.destroy).toEqual([]);
    expect(nextState.autoscale['agents/main']!.surplusSince).toBe('2026-11-23T12:00:00.000Z');
    expect(result.configs[0]!.reasons.join()).toMatch(/waiting for downscale backoff 600 s/);
  });

  test('after the backoff, removes only what keeps every resource at the need, oldest first', () => {
    const first = plan(agentConfig(), surplusFleet);
    const later = plan(agentConfig(), surplusFleet, { state: first.nextState, now: T0 + 600_000 });
    expect(later.plan.configs[0]!.destroy).toEqual(['old']);
    expect(later.nextState.autoscale['agents/main']!.surplusSince).toBeNull();
  });

  test('an interrupted surplus restarts the clock', () => {
    const first = plan(agentConfig(), surplusFleet);
    const busy = plan(
      agentConfig(),
      surplusFleet.map((instance) => ({ ...instance, sessions: [session({ cores: 4, memoryMb: 8192 })] })),
      {
        state: first.nextState,
        now: T0 + 300_000,
      },
    );
    expect(busy.nextState.autoscale['agents/main']!.surplusSince).toBeNull();
    const again = plan(agentConfig(), surplusFleet, { state: busy.nextState, now: T0 + 700_000 });
    expect(again.plan.configs[0]!.destroy).toEqual([]);
  });

  test('never destroys an instance with sessions (staged ones included), even when inactive', () => {
    const inactive = agentConfig({ schedules: [{ days: ['sat'], start: '00:00', end: '01:00', timezone: 'UTC' }] });
    const fleet = [
      agent('staged', { sessions: [session({ staged: true })] }),
      agent('busy', { sessions: [session()] }),
      agent('idle'),
    ];
    const first = plan(inactive, fleet);
    expect(first.plan.configs[0]!.active).toBe(false);
    const later = plan(inactive, fleet, { state: first.nextState, now: T0 + 601_000 });
    expect(later.plan.configs[0]!.destroy).toEqual(['idle']);
  });

  test('instances still starting or awaiting check-in are not candidates', () => {
    const config = agentConfig({ standby: { cores: 0, memoryMb: 0, gpus: 0 }, requireCheckin: true });
    const recent = new Date(T0 - 60_000).toISOString();
    const fleet = [
      agent('boot', { state: 'starting', checkedIn: false, createdAt: recent }),
      agent('wait', { checkedIn: false, createdAt: recent }),
    ];
    const first = plan(config, fleet);
    const later = plan(config, fleet, { state: first.nextState, now: T0 + 601_000 });
    expect(later.plan.configs[0]!.destroy).toEqual([]);
    expect(first.plan.configs[0]!.pending).toEqual({ cores: 8, memoryMb: 16384, gpus: 0 });
  });
});

describe('inactive and disabled configs', () => {
  test('inactive config needs 0 and plans no creates', () => {
    const config = agentConfig({ schedules: [{ days: ['sat'], start: '00:00', end: '01:00', timezone: 'UTC' }] });
    const result = plan(config, []).plan.configs[0]!;
    expect(result.active).toBe(false);
    expect(result.need).toEqual({ cores: 0, memoryMb: 0, gpus: 0 });
    expect(result.create).toBe(0);
  });

  test('disabled config plans nothing and never deletes its agents', () => {
    const config = agentConfig({ enabled: false });
    const fleet = [agent('idle'), agent('failed', { state: 'failed' })];
    const first = plan(config, fleet);
    const later = plan(config, fleet, { state: first.nextState, now: T0 + 10_000_000 });
    expect(later.plan.configs[0]!.actions).toEqual([]);
    expect(later.plan.configs[0]!.reasons[0]).toMatch(/disabled/);
  });
});

describe('check-in timeouts and failure backoff', () => {
  const config = agentConfig({ requireCheckin: true, checkinTimeoutSeconds: 900 });

  test('an instance not checked in after the timeout is destroyed and counted; creates back off 30 s doubling', () => {
    const late = agent('late', { checkedIn: false, createdAt: new Date(T0 - 901_000).toISOString() });
    const first = plan(config, [late]);
    const result = first.plan.configs[0]!;
    expect(result.destroy).toEqual(['late']);
    expect(result.actions.find((a) => a.type === 'destroy')).toMatchObject({ cause: 'checkin-timeout' });
    expect(result.create).toBe(0);
    expect(first.nextState.autoscale['agents/main']).toMatchObject({
      consecutiveFailures: 1,
      createBlockedUntil: '2026-11-23T12:00:30.000Z',
    });

    const blocked = plan(config, [], { state: first.nextState, now: T0 + 29_000 });
    expect(blocked.plan.configs[0]!.create).toBe(0);
    expect(blocked.plan.configs[0]!.capped).toBe(true);
    const allowed = plan(config, [], { state: first.nextState, now: T0 + 30_000 });
    expect(allowed.plan.configs[0]!.create).toBe(2);

    const late2 = agent('late2', { checkedIn: false, createdAt: new Date(T0 + 30_000 - 901_000).toISOString() });
    const second = plan(config, [late2], { state: first.nextState, now: T0 + 30_000 });
    expect(second.nextState.autoscale['agents/main']).toMatchObject({
      consecutiveFailures: 2,
      createBlockedUntil: '2026-11-23T12:01:30.000Z',
    });
  });

  test('backoff is capped at 15 minutes and reset by the first instance that checks in', () => {
    const state: PlannerState = {
      autoscale: {
        'agents/main': {
          surplusSince: null,
          consecutiveFailures: 9,
          lastFailureAt: new Date(T0).toISOString(),
          createBlockedUntil: null,
        },
      },
    };
    const late = agent('late', { checkedIn: false, createdAt: new Date(T0 - 2_000_000).toISOString() });
    const failed = plan(config, [late], { state, now: T0 + 1000 });
    expect(failed.nextState.autoscale['agents/main']!.createBlockedUntil).toBe(
      new Date(T0 + 1000 + 900_000).toISOString(),
    );
    const before = agent('before', { createdAt: new Date(T0 + 500).toISOString() });
    const notYet = plan(config, [before], { state: failed.nextState, now: T0 + 2000 });
    expect(notYet.nextState.autoscale['agents/main']!.consecutiveFailures).toBe(10);
    const good = agent('good', { createdAt: new Date(T0 + 1500).toISOString() });
    const reset = plan(config, [good], { state: failed.nextState, now: T0 + 2000 });
    expect(reset.nextState.autoscale['agents/main']).toMatchObject({
      consecutiveFailures: 0,
      createBlockedUntil: null,
    });
  });

  test('a timed-out instance with sessions is kept and warned about', () => {
    const late = agent('late', {
      checkedIn: false,
      createdAt: new Date(T0 - 901_000).toISOString(),
      sessions: [session()],
    });
    const result = plan(config, [late]).plan.configs[0]!;
    expect(result.destroy).toEqual([]);
    expect(result.warnings.join()).toMatch(/has not checked in/);
  });

  test('failed instances are destroyed and count as failures', () => {
    const result = plan(agentConfig(), [agent('broken', { state: 'failed' })]);
    expect(result.plan.configs[0]!.actions).toContainEqual(
      expect.objectContaining({ type: 'destroy', instanceId: 'broken', cause: 'failed' }),
    );
    expect(result.nextState.autoscale['agents/main']!.consecutiveFailures).toBe(1);
  });
});

describe('server pools', () => {
  test('free = min(sessions left, users left); starting servers count as pending', () => {
    const fleet = [
      server('s1', { sessions: [session({ user: 'ann' }), session({ user: 'ann' }), session({ user: 'bob' })] }),
      server('s2', { sessions: [session({ user: 'cy' })] }),
      server('s3', { state: 'starting', checkedIn: false }),
    ];
    const result = plan(serverConfig(), fleet).plan.configs[0]!;
    expect(result.available).toEqual({ sessions: 1 });
    expect(result.pending).toEqual({ sessions: 2 });
    expect(result.deficit).toEqual({ sessions: 1 });
    expect(result.create).toBe(1);
  });

  test('with requireCheckin, a running server that has not checked in is pending', () => {
    const config = serverConfig({ requireCheckin: true, minimumAvailableSessions: 2 });
    const result = plan(config, [server('s1', { checkedIn: false, createdAt: new Date(T0 - 60_000).toISOString() })])
      .plan.configs[0]!;
    expect(result.pending).toEqual({ sessions: 2 });
    expect(result.create).toBe(0);
  });

  test('aggressive scaling adds queued requests to the minimum', () => {
    const queued = [1, 2, 3].map(() => ({
      pool: 'rdp',
      cores: 0,
      memoryMb: 0,
      gpus: 0,
      since: '2026-11-23T11:59:00Z',
    }));
    const result = plan(serverConfig({ aggressiveScaling: true }), [], { queued }).plan.configs[0]!;
    expect(result.need).toEqual({ sessions: 7 });
    expect(result.create).toBe(4);
  });

  test('scale down keeps the minimum of free sessions after the backoff', () => {
    const fleet = [
      server('s1', { createdAt: '2026-11-23T08:00:00Z' }),
      server('s2', { createdAt: '2026-11-23T09:00:00Z' }),
      server('s3', { createdAt: '2026-11-23T10:00:00Z' }),
    ];
    const first = plan(serverConfig(), fleet);
    const later = plan(serverConfig(), fleet, { state: first.nextState, now: T0 + 300_000 });
    expect(later.plan.configs[0]!.destroy).toEqual(['s1']);
  });
});

describe('static members of server pools', () => {
  // serverConfig: minimum 4 free sessions, 10 sessions / 2 users per server.
  const staticServer = (id: string, overrides: Partial<Instance> = {}) =>
    server(id, { autoscale: STATIC_MEMBER, provider: '', ...overrides });

  test('their free sessions count toward the minimum, so fewer servers are created', () => {
    const withoutStatic = plan(serverConfig(), []).plan.configs[0]!;
    expect(withoutStatic.create).toBe(2);
    const result = plan(serverConfig(), [staticServer('dc-rdp-1', { sessions: [session({ user: 'ann' })] })]).plan;
    const config = result.configs[0]!;
    expect(config.available).toEqual({ sessions: 1 });
    expect(config.create).toBe(2);
    const two = plan(serverConfig(), [staticServer('dc-rdp-1'), staticServer('dc-rdp-2')]).plan.configs[0]!;
    expect(two.available).toEqual({ sessions: 4 });
    expect(two.create).toBe(0);
    expect(two.reasons.join(' ')).not.toMatch(/scale up/);
    expect(result.warnings).toEqual([]);
  });

  test('they are never destroyed, idle or not, and do not count against a provider', () => {
    const config = serverConfig({ minimumAvailableSessions: 0, downscaleBackoffSeconds: 0 });
    config.providers.lab!.maxInstances = 1;
    const fleet = [
      staticServer('dc-rdp-1'),
      staticServer('dc-rdp-2'),
      server('own-1', { createdAt: '2026-11-23T08:00:00Z' }),
    ];
    const first = plan(config, fleet);
    const later = plan(config, fleet, { state: first.nextState, now: T0 + 60_000 });
    expect(later.plan.configs[0]!.destroy).toEqual(['own-1']);
    // 4 free on two static servers, 2 missing: one new server, within maxInstances 1.
    const tight = serverConfig({ minimumAvailableSessions: 6 });
    tight.providers.lab!.maxInstances = 1;
    const busy = plan(tight, [staticServer('dc-rdp-1'), staticServer('dc-rdp-2')]).plan.configs[0]!;
    expect(busy.create).toBe(1);
  });

  test('a static member of a pool without an active server config is reported, not counted', () => {
    const config = serverConfig({ enabled: false });
    const result = plan(config, [staticServer('dc-rdp-1')]).plan;
    expect(result.warnings.join()).toMatch(/static instance dc-rdp-1 of pool rdp/);
  });

  test('a snapshot leaving autoscale out reads as a static member', () => {
    const parsed = parseSnapshot({
      at: '2026-11-23T12:00:00Z',
      instances: [{ id: 'dc-rdp-1', pool: 'rdp', state: 'running', createdAt: '2026-11-23T10:00:00Z', capacity: {} }],
    });
    expect(parsed.instances[0]!.autoscale).toBe(STATIC_MEMBER);
  });
});

test('instances of unknown configs are reported and still count against their provider', () => {
  const stray = agent('stray', { autoscale: 'gone' });
  const config = agentConfig({ standby: { cores: 100, memoryMb: 0, gpus: 0 } });
  config.providers.cloud!.maxInstances = 2;
  const result = plan(config, [stray]).plan;
  expect(result.warnings.join()).toMatch(/stray belongs to unknown autoscale config agents\/gone/);
  expect(result.configs[0]!.create).toBe(1);
});
