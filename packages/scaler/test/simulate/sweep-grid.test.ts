import { parseConfig } from '@headroom/core';
import { describe, expect, test } from 'vitest';
import { buildSweepGrid, resolveSweepTargets } from '../../src/simulate/sweep-grid.js';

const config = parseConfig({
  providers: { cloud: { type: 'fake', maxInstances: 5 } },
  pools: [
    {
      id: 'agents',
      kind: 'docker-agent',
      autoscale: [
        { id: 'day', provider: 'cloud', agent: { cores: 4, memoryMb: 8192 } },
        { id: 'night', provider: 'cloud', agent: { cores: 4, memoryMb: 8192 } },
      ],
    },
    { id: 'rdp', kind: 'server', autoscale: [{ id: 'desktops', provider: 'cloud', minimumAvailableSessions: 2 }] },
  ],
});

describe('buildSweepGrid', () => {
  test('an unqualified key targets every docker-agent autoscale config and no server config', () => {
    expect(resolveSweepTargets({ config, key: 'standby.cores' })).toEqual(['day:standby.cores', 'night:standby.cores']);
    const grid = buildSweepGrid({ config, sweeps: ['standby.cores=0,8', 'downscaleBackoffSeconds=60,900'] });
    expect(grid.map((point) => point.settings)).toEqual([
      { 'standby.cores': 0, downscaleBackoffSeconds: 60 },
      { 'standby.cores': 0, downscaleBackoffSeconds: 900 },
      { 'standby.cores': 8, downscaleBackoffSeconds: 60 },
      { 'standby.cores': 8, downscaleBackoffSeconds: 900 },
    ]);
    const last = grid[3]!.config;
    const [agents, rdp] = last.pools;
    for (const autoscale of agents!.autoscale) {
      expect((autoscale as { standby: { cores: number } }).standby.cores).toBe(8);
      expect(autoscale.downscaleBackoffSeconds).toBe(900);
    }
    expect(rdp!.autoscale[0]!.downscaleBackoffSeconds).toBe(600);
    // The input config is not modified.
    expect(config.pools[0]!.autoscale[0]!.downscaleBackoffSeconds).toBe(600);
  });

  test('AUTOSCALE:KEY and POOL/AUTOSCALE:KEY target one config', () => {
    const grid = buildSweepGrid({
      config,
      sweeps: ['rdp/desktops:minimumAvailableSessions=1,4', 'night:standby.cores=2'],
    });
    expect(grid).toHaveLength(2);
    const [, rdp] = grid[1]!.config.pools;
    expect(rdp!.autoscale[0]).toMatchObject({ minimumAvailableSessions: 4 });
    const [day, night] = grid[1]!.config.pools[0]!.autoscale as { standby: { cores: number } }[];
    expect(day!.standby.cores).toBe(0);
    expect(night!.standby.cores).toBe(2);
  });

  test('unknown targets and fields are ConfigErrors naming the key as given', () => {
    expect(() => buildSweepGrid({ config, sweeps: ['agents/desktops:standby.cores=1'] })).toThrow(
      'pool "agents" has no autoscale config "desktops"',
    );
    expect(() => buildSweepGrid({ config, sweeps: ['weekend:standby.cores=1'] })).toThrow(
      'no autoscale config "weekend"',
    );
    expect(() => buildSweepGrid({ config, sweeps: ['standby.disks=1'] })).toThrow(
      'sweep key "standby.disks" (value 1)',
    );
    expect(() => buildSweepGrid({ config, sweeps: ['standby.cores=many'] })).toThrow('names no string field');
    expect(() => buildSweepGrid({ config, sweeps: ['standby.cores=1', 'standby.cores=2'] })).toThrow('given twice');
  });

  const staged = parseConfig({
    providers: { cloud: { type: 'fake', maxInstances: 5 } },
    pools: [
      {
        id: 'agents',
        kind: 'docker-agent',
        autoscale: [{ id: 'day', provider: 'cloud', agent: { cores: 4, memoryMb: 8192 } }],
      },
    ],
    staging: [
      {
        id: 'chrome',
        pool: 'agents',
        autoscale: 'day',
        workspace: 'chrome',
        desiredSessions: 1,
        session: { cores: 1 },
      },
      {
        id: 'vscode',
        pool: 'agents',
        autoscale: 'day',
        workspace: 'vscode',
        desiredSessions: 1,
        session: { cores: 1 },
      },
    ],
  });

  test('staging.<id or index>.<field> sets one staging config and leaves the autoscale configs alone', () => {
    expect(resolveSweepTargets({ config: staged, key: 'staging.chrome.desiredSessions' })).toEqual([
      'staging.chrome.desiredSessions',
    ]);
    const grid = buildSweepGrid({
      config: staged,
      sweeps: ['staging.chrome.desiredSessions=0,4', 'staging.1.expirationHours=0.5'],
    });
    expect(grid.map((point) => point.settings)).toEqual([
      { 'staging.chrome.desiredSessions': 0, 'staging.1.expirationHours': 0.5 },
      { 'staging.chrome.desiredSessions': 4, 'staging.1.expirationHours': 0.5 },
    ]);
    expect(grid[1]!.config.staging.map((entry) => [entry.desiredSessions, entry.expirationHours])).toEqual([
      [4, 2],
      [1, 0.5],
    ]);
    expect(grid[1]!.config.pools).toEqual(staged.pools);
    expect(staged.staging[0]!.desiredSessions).toBe(1);
  });

  test('staging sweep keys are checked by path and bounded as the config is', () => {
    const error = (sweep: string) => {
      try {
        buildSweepGrid({ config: staged, sweeps: [sweep] });
      } catch (caught) {
        return String((caught as Error).message);
      }
      throw new Error(`${sweep} was accepted`);
    };
    expect(error('staging.firefox.desiredSessions=1')).toContain('no staging config with id or index "firefox"');
    expect(error('staging.2.desiredSessions=1')).toContain('no staging config with id or index "2"');
    expect(error('staging.chrome.desiredSessions=-1')).toContain('staging[0].desiredSessions');
    expect(error('staging.chrome.desiredSessions=20000')).toContain('must be ≤ 10000');
    expect(error('staging.chrome.desiredSessions=1.5')).toContain('staging[0].desiredSessions');
    expect(error('staging.chrome.workspace=1')).toContain('staging[0].workspace: sweep key');
    expect(error('staging.chrome.desiredSessions=many')).toContain('staging[0].desiredSessions');
    expect(error('staging.desiredSessions=1')).toContain('expected staging.<id or index>.<field>');
  });
});
