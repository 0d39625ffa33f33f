import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { FleetSnapshot, Instance } from '../model/instance.js';
import { computeScalingPlan } from './compute-scaling-plan.js';
import { placeQueuedDesktops } from './desktop-placement.js';
import { server, serverConfig, session, T0 } from './planner-fixtures.test-helpers.js';
import { emptyPlannerState } from './planner-state.js';

const request = (user?: string): FleetSnapshot['queued'][number] => ({
  pool: 'rdp',
  cores: 0,
  memoryMb: 0,
  gpus: 0,
  since: '2026-11-23T11:59:00Z',
  ...(user !== undefined ? { user } : {}),
});
const plan = (config: ReturnType<typeof serverConfig>, instances: Instance[], queued: FleetSnapshot['queued']) =>
  computeScalingPlan({
    config,
    snapshot: { at: new Date(T0).toISOString(), instances, queued },
    state: emptyPlannerState(),
    now: T0,
  }).plan.configs[0]!;

describe('placeQueuedDesktops: one desktop per user per server', () => {
  test.each([
    {
      name: 'a user with a desktop on the only roomy server',
      rooms: [['ann']],
      free: [1],
      queued: ['ann'],
      placed: 0,
      share: 1,
    },
    { name: 'another user takes the seat', rooms: [['ann']], free: [1], queued: ['bob'], placed: 1, share: 0 },
    {
      name: 'a second server without the user',
      rooms: [['ann'], []],
      free: [1, 1],
      queued: ['ann'],
      placed: 1,
      share: 0,
    },
    {
      name: 'two queued desktops of one user need two servers',
      rooms: [[]],
      free: [2],
      queued: ['ann', 'ann'],
      placed: 1,
      share: 1,
    },
    {
      name: 'requests without a user are users of their own',
      rooms: [['ann']],
      free: [2],
      queued: [undefined, undefined],
      placed: 2,
      share: 0,
    },
    {
      name: 'three of one user, nothing free',
      rooms: [],
      free: [],
      queued: ['ann', 'ann', 'ann', 'bob'],
      placed: 0,
      share: 3,
    },
  ])('$name', ({ rooms, free, queued, placed, share }) => {
    const result = placeQueuedDesktops({
      rooms: rooms.map((users, index) => ({ free: free[index]!, users: new Set(users) })),
      queued: queued.map((user) => (user === undefined ? {} : { user })),
    });
    expect(result).toEqual({ placed, unplaced: queued.length - placed, largestUserShare: share });
  });
});

describe('server pool plan: one desktop per user per server (RDP)', () => {
  // minimum 0, 10 sessions / 2 users per server, aggressive: queued requests count.
  const config = (connection: 'rdp' | 'ssh' = 'rdp') =>
    serverConfig({ minimumAvailableSessions: 0, aggressiveScaling: true, connection: { type: connection } });

  test('a queued desktop of a user who holds a desktop on every roomy server gets a new server', () => {
    const fleet = [server('s1', { sessions: [session({ user: 'ann' })] })];
    const rdp = plan(config(), fleet, [request('ann')]);
    expect(rdp.available).toEqual({ sessions: 1 });
    expect(rdp.deficit).toEqual({ sessions: 1 });
    expect(rdp.create).toBe(1);
    expect(rdp.reasons.join(' ')).toMatch(/1 of them fit no free seat: one desktop per user per server/);
    // SSH allows several sessions per user per server: the free seat serves the request.
    expect(plan(config('ssh'), fleet, [request('ann')]).create).toBe(0);
    // Another user's request takes the free seat on an RDP server.
    expect(plan(config(), fleet, [request('bob')]).create).toBe(0);
  });

  test('two queued desktops of one user need two different servers, pending ones included', () => {
    expect(plan(config(), [], [request('ann'), request('ann')]).create).toBe(2);
    const pending = server('p1', { state: 'starting', checkedIn: false });
    expect(plan(config(), [pending], [request('ann'), request('ann')]).create).toBe(1);
  });

  test('free seats the queued user cannot take still count toward the minimum', () => {
    const minimum = serverConfig({ minimumAvailableSessions: 1, aggressiveScaling: true });
    const fleet = [server('s1', { sessions: [session({ user: 'ann' })] })];
    // One free seat: it keeps the minimum of 1, ann needs one more server (2 seats) → 1 create.
    expect(plan(minimum, fleet, [request('ann')]).create).toBe(1);
  });

  const rdpConfigArbitrary = fc.record({
    minimumAvailableSessions: fc.integer({ min: 0, max: 6 }),
    maxSessionsPerServer: fc.integer({ min: 1, max: 4 }),
    maxUsersPerServer: fc.integer({ min: 1, max: 4 }),
  });
  const users = ['ann', 'bob', 'cid', 'dee'];
  const fleetArbitrary = fc.array(
    fc.record({
      pending: fc.boolean(),
      users: fc.array(fc.constantFrom(...users), { maxLength: 4 }),
    }),
    { maxLength: 5 },
  );
  const queuedArbitrary = fc.array(fc.option(fc.constantFrom(...users), { nil: undefined }), { maxLength: 8 });

  test('property: creates and pending servers seat every queued desktop under the rule and keep the minimum', () => {
    fc.assert(
      fc.property(rdpConfigArbitrary, fleetArbitrary, queuedArbitrary, (limits, fleetSpec, queuedUsers) => {
        const headroom = serverConfig({ ...limits, aggressiveScaling: true, downscaleBackoffSeconds: 0 });
        headroom.providers.lab!.maxInstances = 1000;
        const perServer = Math.min(limits.maxSessionsPerServer, limits.maxUsersPerServer);
        const fleet = fleetSpec.map((spec, index) =>
          spec.pending
            ? server(`p${index}`, { state: 'starting', checkedIn: false })
            : server(`s${index}`, {
                // The control plane keeps the rule: one desktop per user, within the limits.
                sessions: [...new Set(spec.users)].slice(0, perServer).map((user) => session({ user })),
              }),
        );
        const result = plan(headroom, fleet, queuedUsers.map(request));
        // Seat the queued requests: running servers first (the planner's greedy), then the
        // largest user groups first on the least loaded fresh server (pending + created).
        const rooms = fleet
          .filter((instance) => instance.state === 'running')
          .map((instance) => ({
            free: perServer - instance.sessions.length,
            users: new Set(instance.sessions.map((entry) => entry.user!)),
          }));
        const leftOver: (string | undefined)[] = [];
        for (const user of queuedUsers) {
          const room = rooms.find(
            (candidate) => candidate.free > 0 && (user === undefined || !candidate.users.has(user)),
          );
          if (!room) leftOver.push(user);
          else {
            room.free -= 1;
            if (user !== undefined) room.users.add(user);
          }
        }
        const freshCount = fleet.filter((instance) => instance.state !== 'running').length + result.create;
        const fresh = Array.from({ length: freshCount }, () => ({ free: perServer, users: new Set<string>() }));
        const groups = new Map<string, number>();
        for (const [index, user] of leftOver.entries())
          groups.set(user ?? `anonymous-${index}`, (groups.get(user ?? `anonymous-${index}`) ?? 0) + 1);
        for (const [user, count] of [...groups.entries()].sort((a, b) => b[1] - a[1])) {
          for (let copy = 0; copy < count; copy += 1) {
            const target = fresh
              .filter((candidate) => candidate.free > 0 && !candidate.users.has(user))
              .sort((a, b) => b.free - a.free)[0];
            expect(target, `no fresh server for ${user}`).toBeDefined();
            target!.free -= 1;
            target!.users.add(user);
          }
        }
        const remaining = [...rooms, ...fresh].reduce((sum, room) => sum + Math.max(room.free, 0), 0);
        expect(remaining).toBeGreaterThanOrEqual(limits.minimumAvailableSessions);
      }),
      { numRuns: 300 },
    );
  });
});
