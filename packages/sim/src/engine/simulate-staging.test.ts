import { parseConfig } from '@headroom/core';
import { expect, test } from 'vitest';
import { sweepStagingDesiredSessions } from '../staging-sweep.js';
import type { TraceSession } from '../trace/trace-session.js';
import { stagingCloud } from './__fixtures__/staging-zones.js';
import { simulate } from './simulate.js';

const cloud = stagingCloud;

function stagingConfig(staging: Record<string, unknown> = {}, autoscale: Record<string, unknown> = {}) {
  return parseConfig({
    providers: { sim: { type: 'fake', maxInstances: 10 } },
    pools: [
      {
        id: 'agents',
        kind: 'docker-agent',
        autoscale: [
          { id: 'main', provider: 'sim', zone: 'east', agent: { cores: 4, memoryMb: 8192, gpus: 0 }, ...autoscale },
        ],
      },
    ],
    staging: [
      {
        id: 'chrome',
        pool: 'agents',
        autoscale: 'main',
        workspace: 'chrome',
        desiredSessions: 1,
        expirationHours: 1,
        session: { cores: 1, memoryMb: 1024, gpus: 0 },
        ...staging,
      },
    ],
  });
}

const chrome = (startSeconds: number, durationSeconds = 600, cores = 1): TraceSession => ({
  startMs: startSeconds * 1000,
  durationMs: durationSeconds * 1000,
  cores,
  memoryMb: 1024,
  gpus: 0,
  workspace: 'chrome',
});

test('hits, misses, expiry and the cost of staging are reported per staging config and zone', async () => {
  // desiredSessions 1, ticks every 30 s: chrome at 305 s hits; chrome at 306 s finds none (the
  // tick at 330 s restages) → miss; chrome at 400 s hits. The staged session of 400 s+ is unassigned for 1 h
  // and expires at the first tick ≥ 1 h after it was staged, then is re-staged.
  const trace = [chrome(305), chrome(306), chrome(400)];
  const { result } = await simulate({ config: stagingConfig(), trace, cloud, startMs: 0, endMs: 3 * 3_600_000 });
  const [staging] = result.staging!;
  expect(staging).toMatchObject({ staging: 'chrome', workspace: 'chrome', zone: 'east', hits: 2, misses: 1 });
  expect(staging!.hitRate).toBeCloseTo(2 / 3, 6);
  expect(staging!.expired).toBeGreaterThanOrEqual(1);
  expect(staging!.staged).toBe(2 + 1 + staging!.expired);
  // One staged session held most of the 3 h; its core is 1 of the agent's 4.
  expect(staging!.heldSessionHours).toBeGreaterThan(2.5);
  expect(staging!.heldSessionHours).toBeLessThanOrEqual(3);
  expect(staging!.cost).toBeGreaterThan(0);
  expect(staging!.cost).toBeLessThan(result.cost / 2);
});

test('staged sessions of an inactive config are removed', async () => {
  const config = stagingConfig(
    {},
    {
      schedules: [
        { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '01:00', timezone: 'UTC' },
      ],
    },
  );
  const { result } = await simulate({ config, trace: [], cloud, startMs: 0, endMs: 2 * 3_600_000 });
  expect(result.staging![0]).toMatchObject({ hits: 0, misses: 0, hitRate: 1, removed: 1, expired: 0 });
});

test('a sweep over desiredSessions finds the cheapest setting meeting a hit-rate target', async () => {
  // Bursts of 3 chrome arrivals a second apart (between ticks), every 20 min: only 3 staged
  // sessions catch a whole burst.
  const trace = [0, 1, 2, 3, 4].flatMap((burst) => [0, 1, 2].map((offset) => chrome(605 + burst * 1200 + offset, 300)));
  const config = stagingConfig({ expirationHours: 0 });
  const { points, recommended } = await sweepStagingDesiredSessions({
    config,
    staging: 'chrome',
    values: [0, 1, 2, 3, 4],
    targetHitRate: 0.95,
    run: (swept) => simulate({ config: swept, trace, cloud, startMs: 0, endMs: 2 * 3_600_000 }),
  });
  expect(points.map((point) => point.desiredSessions)).toEqual([0, 1, 2, 3, 4]);
  const rates = points.map((point) => point.hitRate);
  expect(rates[0]).toBe(0);
  for (let index = 1; index < rates.length; index++) expect(rates[index]).toBeGreaterThanOrEqual(rates[index - 1]!);
  expect(rates[3]).toBe(1);
  expect(recommended?.desiredSessions).toBe(3);
  await expect(
    sweepStagingDesiredSessions({
      config,
      staging: 'nope',
      values: [1],
      targetHitRate: 0.5,
      run: () => Promise.reject(new Error('unused')),
    }),
  ).rejects.toThrow(/no staging config "nope"/);
});
