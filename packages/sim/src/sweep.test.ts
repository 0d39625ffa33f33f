import { parseConfig } from '@headroom/core';
import { describe, expect, test } from 'vitest';
import { stagedHitRate } from './results/staged-hit-rate.js';
import { expandSweep, parseSweepParameter, recommendSweepPoint } from './sweep.js';

const config = parseConfig({
  providers: { sim: { type: 'fake', maxInstances: 10 } },
  pools: [
    {
      id: 'agents',
      kind: 'docker-agent',
      autoscale: [
        { id: 'office', provider: 'sim', agent: { cores: 4, memoryMb: 8192, gpus: 0 } },
        { id: 'night', provider: 'sim', agent: { cores: 4, memoryMb: 8192, gpus: 0 } },
      ],
    },
  ],
});

describe('sweeps', () => {
  test('parses the --sweep syntax', () => {
    expect(parseSweepParameter('standby.cores=0,4, 8')).toEqual({ key: 'standby.cores', values: [0, 4, 8] });
    expect(parseSweepParameter('office:aggressiveScaling=true,false')).toEqual({
      key: 'office:aggressiveScaling',
      values: [true, false],
    });
    expect(() => parseSweepParameter('standby.cores')).toThrow('expected key=value');
    expect(() => parseSweepParameter('x=')).toThrow('expected key=value');
  });

  test('expands the grid, first parameter slowest, without touching the original', () => {
    const grid = expandSweep({
      config,
      parameters: [
        parseSweepParameter('standby.cores=0,8'),
        parseSweepParameter('office:downscaleBackoffSeconds=300,1800'),
      ],
    });
    expect(grid.map((entry) => entry.settings)).toEqual([
      { 'standby.cores': 0, 'office:downscaleBackoffSeconds': 300 },
      { 'standby.cores': 0, 'office:downscaleBackoffSeconds': 1800 },
      { 'standby.cores': 8, 'office:downscaleBackoffSeconds': 300 },
      { 'standby.cores': 8, 'office:downscaleBackoffSeconds': 1800 },
    ]);
    const last = grid[3]!.config.pools[0]!.autoscale;
    expect(last.map((autoscale) => [autoscale.id, autoscale.downscaleBackoffSeconds])).toEqual([
      ['office', 1800],
      ['night', 600],
    ]);
    expect(last.map((autoscale) => (autoscale as { standby: { cores: number } }).standby.cores)).toEqual([8, 8]);
    expect((config.pools[0]!.autoscale[0] as { standby: { cores: number } }).standby.cores).toBe(0);
  });

  test('refuses keys that name no field or no config', () => {
    expect(() => expandSweep({ config, parameters: [parseSweepParameter('standby.corez=1')] })).toThrow(
      /standby.corez/,
    );
    expect(() => expandSweep({ config, parameters: [parseSweepParameter('nope.cores=1')] })).toThrow(/names no field/);
    expect(() => expandSweep({ config, parameters: [parseSweepParameter('day:standby.cores=1')] })).toThrow(
      /matches no autoscale config/,
    );
    expect(() => expandSweep({ config, parameters: [parseSweepParameter('downscaleBackoffSeconds=soon')] })).toThrow(
      /no string field/,
    );
  });

  test('recommends the cheapest point meeting the wait and refusal limits', () => {
    const points = [
      { settings: { a: 1 }, cost: 10, p95WaitSeconds: 90, refused: 0 },
      { settings: { a: 2 }, cost: 12, p95WaitSeconds: 20, refused: 3 },
      { settings: { a: 3 }, cost: 15, p95WaitSeconds: 25, refused: 0 },
      { settings: { a: 4 }, cost: 15, p95WaitSeconds: 10, refused: 0 },
    ];
    expect(recommendSweepPoint({ points, targetP95WaitSeconds: 30 })?.settings).toEqual({ a: 2 });
    expect(recommendSweepPoint({ points, targetP95WaitSeconds: 30, maxRefused: 0 })?.settings).toEqual({ a: 4 });
    expect(recommendSweepPoint({ points })?.settings).toEqual({ a: 1 });
    expect(recommendSweepPoint({ points, targetP95WaitSeconds: 5 })).toBeUndefined();
  });

  test('a hit-rate target keeps only points staging at least that well, alongside the other limits', () => {
    const points = [
      { settings: { d: 0 }, cost: 10, p95WaitSeconds: 60, refused: 0, hitRate: 0 },
      { settings: { d: 2 }, cost: 12, p95WaitSeconds: 0, refused: 0, hitRate: 0.8 },
      { settings: { d: 4 }, cost: 14, p95WaitSeconds: 0, refused: 0, hitRate: 0.95 },
      { settings: { d: 8 }, cost: 18, p95WaitSeconds: 0, refused: 0, hitRate: 1 },
      { settings: { d: 9 }, cost: 1, p95WaitSeconds: 0, refused: 0 },
    ];
    expect(recommendSweepPoint({ points, targetHitRate: 0.9 })?.settings).toEqual({ d: 4 });
    expect(recommendSweepPoint({ points, targetHitRate: 0.8 })?.settings).toEqual({ d: 2 });
    expect(recommendSweepPoint({ points, targetHitRate: 1, targetP95WaitSeconds: 0 })?.settings).toEqual({ d: 8 });
    expect(recommendSweepPoint({ points, targetHitRate: 0 })?.settings).toEqual({ d: 0 });
    expect(recommendSweepPoint({ points: points.slice(0, 2), targetHitRate: 0.9 })).toBeUndefined();
  });

  test('the staged hit rate pools every staging config', () => {
    const entry = (hits: number, misses: number) => ({ hits, misses }) as never;
    expect(stagedHitRate({})).toBeUndefined();
    expect(stagedHitRate({ staging: [] })).toBeUndefined();
    expect(stagedHitRate({ staging: [entry(0, 0)] })).toBe(1);
    expect(stagedHitRate({ staging: [entry(3, 1), entry(0, 4)] })).toBe(3 / 8);
  });
});
