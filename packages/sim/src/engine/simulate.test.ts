import { type HeadroomConfigInput, parseConfig } from '@headroom/core';
import { describe, expect, test } from 'vitest';
import { BILLING_PER_SECOND, type CloudModel } from '../cloud-model.js';
import { readSwfTrace } from '../trace/read-swf-trace.js';
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

function agentsConfig(autoscale: Record<string, unknown>, maxInstances = 10) {
  const input: HeadroomConfigInput = {
    providers: { sim: { type: 'fake', maxInstances } },
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
            ...autoscale,
          },
        ],
      },
    ],
  };
  return parseConfig(input);
}

const session = (
  startSeconds: number,
  durationSeconds: number,
  cores = 2,
  memoryMb = 2048,
  user?: string,
): TraceSession => ({
  startMs: startSeconds * 1000,
  durationMs: durationSeconds * 1000,
  cores,
  memoryMb,
  gpus: 0,
  ...(user !== undefined ? { user } : {}),
});

describe('simulate: hand-computed scenarios', () => {
  test('aggressive scaling queues the first session until an agent boots', async () => {
    // Arrival at 100 s finds nothing and queues; the tick at 120 s creates one agent; it runs at 180 s
    // and takes the session (wait 80 s); it leaves at 1180 s; the tick at 1200 s sees the idle agent,
    // the surplus lasts the 600 s backoff, and the tick at 1800 s removes it: 1680 s billed.
    const run = await simulate({
      config: agentsConfig({ aggressiveScaling: true }),
      trace: [session(100, 1000)],
      cloud,
      startMs: 0,
      endMs: 3600_000,
    });
    const { result } = run;
    expect(result.sessions).toMatchObject({ total: 1, served: 1, waited: 1, refused: 0, peakConcurrent: 1 });
    expect(result.sessions.waitSeconds).toEqual({ mean: 80, p50: 80, p95: 80, p99: 80, max: 80 });
    expect([result.scaleUps, result.scaleDowns, result.thrash]).toEqual([1, 1, 0]);
    expect(result.billedInstanceHours).toBeCloseTo(1680 / 3600, 12);
    expect(result.cost).toBeCloseTo(1.68, 12);
    expect(result.oracle!.cost).toBeCloseTo(1.0, 12);
    expect(result.costRatio).toBeCloseTo(1.68, 12);
    expect(result.peakInstances).toBe(1);
    expect(result.idleInstanceHours).toBeCloseTo(620 / 3600, 12);
    expect(run.warnings).toEqual([]);
  });

  test('without aggressive scaling and without standby the session is refused', async () => {
    const { result } = await simulate({
      config: agentsConfig({}),
      trace: [session(100, 1000)],
      cloud,
      startMs: 0,
      endMs: 3600_000,
    });
    expect(result.sessions).toMatchObject({ total: 1, served: 0, refused: 1, gaveUp: 0 });
    expect(result.cost).toBe(0);
    expect(result.scaleUps).toBe(0);
  });

  test('standby keeps spare capacity ahead of arrivals', async () => {
    // Tick 0 s: standby 4 cores → agent A (running at 60 s). Arrival 100 s lands on A at once
    // (available 2 < 4) → tick 120 s creates B (running 180 s). The session leaves at 1100 s;
    // tick 1110 s finds one removable agent (A, oldest); it goes at 1710 s. B runs to the end (3600 s).
    const { result } = await simulate({
      config: agentsConfig({ standby: { cores: 4, memoryMb: 0, gpus: 0 } }),
      trace: [session(100, 1000)],
      cloud,
      startMs: 0,
      endMs: 3600_000,
    });
    expect(result.sessions).toMatchObject({ served: 1, waited: 0, refused: 0 });
    expect([result.scaleUps, result.scaleDowns]).toEqual([2, 1]);
    expect(result.cost).toBeCloseTo((1710 + 3480) / 1000, 12);
    expect(result.peakInstances).toBe(2);
  });

  test('a queued session gives up after giveUpSeconds when capacity never comes', async () => {
    const { result } = await simulate({
      config: agentsConfig({ aggressiveScaling: true }, 0),
      trace: [session(100, 1000)],
      cloud,
      startMs: 0,
      endMs: 3600_000,
      giveUpSeconds: 300,
    });
    expect(result.sessions).toMatchObject({ served: 0, refused: 1, gaveUp: 1 });
    expect(result.scaleUps).toBe(0);
  });

  test('spread and pack place sessions differently', async () => {
    const config = agentsConfig({ standby: { cores: 8, memoryMb: 0, gpus: 0 } });
    const trace = [session(1000, 100, 1), session(1010, 100, 1)];
    const spread = await simulate({ config, trace, cloud, startMs: 0, endMs: 2000_000, placement: 'spread' });
    const pack = await simulate({ config, trace, cloud, startMs: 0, endMs: 2000_000, placement: 'pack' });
    expect(spread.result.sessions.served).toBe(2);
    expect(pack.result.sessions.served).toBe(2);
    // Two agents: spread uses both (no idle agent while both sessions run), pack stacks them on one.
    expect(spread.result.idleInstanceHours).toBeLessThan(pack.result.idleInstanceHours);
  });

  const serverPoolConfig = (autoscale: Record<string, unknown>) =>
    parseConfig({
      providers: { lab: { type: 'fake', maxInstances: 5 } },
      pools: [
        {
          id: 'rdp',
          kind: 'server',
          autoscale: [
            {
              id: 'rdp',
              provider: 'lab',
              minimumAvailableSessions: 2,
              maxSessionsPerServer: 4,
              maxUsersPerServer: 2,
              downscaleBackoffSeconds: 600,
              ...autoscale,
            },
          ],
        },
      ],
    });
  // ann twice, then bob, carl and dave: 2 free sessions per server (min of 4 sessions, 2 users).
  const sharedTrace = () => [
    session(600, 600, 1, 0, 'ann'),
    session(601, 600, 1, 0, 'ann'),
    session(602, 600, 1, 0, 'bob'),
    session(603, 600, 1, 0, 'carl'),
    session(700, 600, 1, 0, 'dave'),
  ];

  test('server pools place by free sessions and distinct users (SSH: several sessions per user)', async () => {
    // 2 free sessions per server (min of 4 sessions, 2 users). Tick 0 s creates server 1 (running 60 s).
    // ann at 600 s takes server 1 (free 1 → the tick at 600 s creates server 2, running 660 s); ann again
    // and bob still fit on server 1 (same user; second user). carl at 603 s: server 1 has its 2 users and
    // server 2 is booting → refused (no aggressive scaling). dave at 700 s goes to server 2 although
    // server 1 has a free session slot, because its users are full.
    const config = serverPoolConfig({ connection: { type: 'ssh' } });
    const { result } = await simulate({ config, trace: sharedTrace(), cloud, startMs: 0, endMs: 3600_000 });
    expect(result.sessions).toMatchObject({ total: 5, served: 4, refused: 1, peakConcurrent: 4 });
    expect(result.peakInstances).toBe(3);
    // The oracle serves all five sessions (carl too): ceil(5 / 2) = 3 servers.
    expect(result.oracle!.peakInstances).toBe(3);
  });

  test('reusable: false: a server whose session ended takes no new session and is replaced', async () => {
    const oneSession = { minimumAvailableSessions: 1, maxSessionsPerServer: 1, maxUsersPerServer: 1 };
    const config = serverPoolConfig({ ...oneSession, reusable: false });
    // One session per server: server 1 (tick 0 s) takes ann at 600 s, server 2 is created for the
    // minimum. ann leaves at 700 s: server 1 is destroyed; bob at 800 s goes to server 2, and the
    // minimum creates server 3. Reusable, server 1 takes sessions again: two servers in all.
    const trace = [session(600, 100, 1, 0, 'ann'), session(800, 100, 1, 0, 'bob')];
    const { result } = await simulate({ config, trace, cloud, startMs: 0, endMs: 1800_000 });
    expect(result.sessions).toMatchObject({ total: 2, served: 2, refused: 0 });
    expect(result.scaleUps).toBe(3);
    expect(result.scaleDowns).toBeGreaterThanOrEqual(1);
    const reusable = serverPoolConfig({ ...oneSession, reusable: true });
    const again = await simulate({ config: reusable, trace, cloud, startMs: 0, endMs: 1800_000 });
    expect(again.result.scaleUps).toBe(2);
  });

  test('RDP server pools: one desktop per user per server', async () => {
    // As above, but ann's second desktop cannot join her first on server 1 and server 2 is still
    // booting at 601 s: refused. bob takes server 1's second user seat, carl is refused, dave goes
    // to server 2.
    const config = serverPoolConfig({ connection: { type: 'rdp' } });
    const { result } = await simulate({ config, trace: sharedTrace(), cloud, startMs: 0, endMs: 3600_000 });
    expect(result.sessions).toMatchObject({ total: 5, served: 3, refused: 2, peakConcurrent: 3 });
  });
});

test('staged sessions are kept ready, handed to matching arrivals, and replenished', async () => {
  const config = parseConfig({
    providers: { sim: { type: 'fake', maxInstances: 10 } },
    pools: [
      {
        id: 'agents',
        kind: 'docker-agent',
        autoscale: [{ id: 'main', provider: 'sim', agent: { cores: 4, memoryMb: 8192, gpus: 0 } }],
      },
    ],
    staging: [
      {
        id: 'chrome',
        pool: 'agents',
        autoscale: 'main',
        workspace: 'chrome',
        desiredSessions: 1,
        session: { cores: 2, memoryMb: 2048, gpus: 0 },
      },
    ],
  });
  // Tick 0 s: staging needs 2 cores → one agent (running 60 s), which then gets the staged session.
  // chrome at 300 s takes it (no wait); the tick at 300 s stages another on the same agent (3 cores
  // free). "other" at 310 s needs 2 cores, finds 1 free, and is refused (no aggressive scaling);
  // chrome at 320 s takes the second staged session; the tick at 330 s stages a third, filling the
  // agent (1 + 1 + 2 cores). A 3-core chrome session at 900 s is larger than the staged size, cannot
  // use it, finds no room and is refused. One agent was enough throughout.
  const chrome = (startSeconds: number, cores = 1): TraceSession => ({
    ...session(startSeconds, 3600, cores, 1024),
    workspace: 'chrome',
  });
  const trace = [chrome(300), { ...session(310, 3600, 2, 1024), workspace: 'other' }, chrome(320), chrome(900, 3)];
  const run = await simulate({ config, trace, cloud, startMs: 0, endMs: 7200_000 });
  expect(run.warnings).toEqual([]);
  expect(run.result.sessions).toMatchObject({ total: 4, served: 2, waited: 0, refused: 2 });
  expect(run.result.scaleUps).toBe(1);
  expect(run.result.peakInstances).toBe(1);
});

test('an unknown default pool is a config error; sessions of unknown pools are refused with a warning', async () => {
  const config = agentsConfig({ standby: { cores: 4, memoryMb: 0, gpus: 0 } });
  await expect(simulate({ config, trace: [], cloud, defaultPool: 'nope' })).rejects.toThrow(
    /defaultPool: pool "nope" is not in the config/,
  );
  const run = await simulate({
    config,
    trace: [{ ...session(100, 10), pool: 'elsewhere' }],
    cloud,
    startMs: 0,
    endMs: 600_000,
  });
  expect(run.result.sessions).toMatchObject({ total: 1, refused: 1 });
  expect(run.warnings).toEqual(['pool "elsewhere" of some trace sessions is not in the config; they were refused']);
});

describe('simulate: real load', () => {
  const fromMs = Date.UTC(1993, 9, 25, 7);
  const loadTrace = () =>
    readSwfTrace({
      path: '/work/shared/data/pwa-nasa-ipsc-1993/NASA-iPSC-1993-3.1-cln.csv.gz',
      fromMs,
      toMs: fromMs + 4 * 86_400_000,
      coresPerProcessor: 0.25,
      memoryMbPerProcessor: 512,
    });
  const config = parseConfig({
    providers: { sim: { type: 'fake', maxInstances: 40 } },
    pools: [
      {
        id: 'agents',
        kind: 'docker-agent',
        autoscale: [
          {
            id: 'office',
            provider: 'sim',
            agent: { cores: 16, memoryMb: 32768, gpus: 0 },
            standby: { cores: 8, memoryMb: 16384, gpus: 0 },
            aggressiveScaling: true,
            downscaleBackoffSeconds: 900,
            requireCheckin: true,
            schedules: [
              {
                days: ['mon', 'tue', 'wed', 'thu', 'fri'],
                start: '08:00',
                end: '18:00',
                timezone: 'America/Los_Angeles',
              },
            ],
          },
          {
            id: 'night',
            provider: 'sim',
            agent: { cores: 16, memoryMb: 32768, gpus: 0 },
            standby: { cores: 2, memoryMb: 0, gpus: 0 },
            downscaleBackoffSeconds: 300,
            aggressiveScaling: true,
          },
        ],
      },
    ],
    staging: [
      {
        id: 'warm',
        pool: 'agents',
        autoscale: 'office',
        workspace: 'x',
        desiredSessions: 2,
        session: { cores: 1, memoryMb: 1024, gpus: 0 },
      },
    ],
  });
  const realisticCloud: CloudModel = {
    defaults: {
      bootTime: { kind: 'log-normal', medianSeconds: 50, p95Seconds: 150 },
      bootFailureProbability: 0.05,
      checkinDelay: { kind: 'uniform', minimumSeconds: 5, maximumSeconds: 30 },
      billing: BILLING_PER_SECOND,
    },
    defaultPricePerInstanceHour: 0.68,
  };

  test('is deterministic for a seed, and skipping quiet ticks changes nothing', async () => {
    const trace = await loadTrace();
    const first = await simulate({ config, trace, cloud: realisticCloud, seed: 7 });
    const again = await simulate({ config, trace, cloud: realisticCloud, seed: 7 });
    const everyTick = await simulate({ config, trace, cloud: realisticCloud, seed: 7, skipQuietTicks: false });
    const otherSeed = await simulate({ config, trace, cloud: realisticCloud, seed: 8 });
    expect(again.result).toEqual(first.result);
    expect(everyTick.result).toEqual(first.result);
    expect(everyTick.stats.ticksEvaluated).toBe(everyTick.stats.ticks);
    expect(first.stats.ticksEvaluated).toBeLessThan(first.stats.ticks);
    expect(otherSeed.result.cost).not.toBe(first.result.cost);
    const { result } = first;
    expect(result.sessions.total).toBe(trace.sessions.length);
    expect(result.sessions.served + result.sessions.refused).toBe(trace.sessions.length);
    expect(result.bootFailures).toBeGreaterThan(0);
    expect(result.oracle!.cost).toBeGreaterThan(0);
    expect(result.cost).toBeGreaterThan(result.oracle!.cost);
    // Four reconciler runs, one ticking every interval: well over 30 s on a busy 2-core machine.
  }, 120_000);

  test('the direct planner engine gives the same cost and waits as the reconciler', async () => {
    const trace = await loadTrace();
    const reconciled = await simulate({ config, trace, cloud: realisticCloud, seed: 7 });
    const planned = await simulate({ config, trace, cloud: realisticCloud, seed: 7, engine: 'planner' });
    expect(reconciled.result.scaleUps).toBeGreaterThan(10);
    expect(planned.result.cost).toBe(reconciled.result.cost);
    expect(planned.result.sessions).toEqual(reconciled.result.sessions);
    expect(planned.result).toEqual(reconciled.result);
    expect(planned.stats).toEqual(reconciled.stats);
  });
});
