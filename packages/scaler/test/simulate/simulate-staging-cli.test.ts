import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runCli } from '../run-cli.js';

// Runs the BUILT binary (`pnpm -s build` first).
const temporary = mkdtempSync(join(tmpdir(), 'headroom-simulate-staging-'));
const file = (name: string, text: string) => {
  const path = join(temporary, name);
  writeFileSync(path, text);
  return path;
};

const config = file(
  'staging.yaml',
  `providers:
  cloud: { type: fake, maxInstances: 10 }
pools:
  - id: agents
    kind: docker-agent
    autoscale:
      - { id: always, provider: cloud, zone: east, aggressiveScaling: true, agent: { cores: 4, memoryMb: 8192 } }
staging:
  - { id: chrome, pool: agents, autoscale: always, workspace: chrome, desiredSessions: 1, expirationHours: 1, session: { cores: 1, memoryMb: 1024 } }
simulation:
  defaults: { bootTime: 60, bootFailureProbability: 0, checkinDelay: 0, billing: per-second }
  pricePerInstanceHour: { always: 3.6 }
`,
);
// The run starts with a 3-hour vscode session at 09:00 (vscode is not staged); chrome at 09:10:05
// takes the staged session, chrome a second later finds none (restaged at the 09:10:30 tick); the
// restaged session expires an hour later and is staged again.
const trace = file(
  'trace.csv',
  'start,duration_s,cores,memory_mb,workspace\n2026-03-02T09:00:00Z,10800,1,1024,vscode\n2026-03-02T09:10:05Z,600,1,1024,chrome\n2026-03-02T09:10:06Z,600,1,1024,chrome\n',
);

test('headroom simulate reports the staged-session hit rate and the cost of staging', () => {
  const args = [
    'simulate',
    '--config',
    config,
    '--trace',
    trace,
    '--from',
    '2026-03-02T09:00:00Z',
    '--to',
    '2026-03-02T12:00:00Z',
  ];
  const json = runCli([...args, '--json']);
  expect(json.stderr).toBe('');
  expect(json.code).toBe(0);
  const result = JSON.parse(json.stdout);
  const [staging] = result.result.staging;
  expect(staging).toMatchObject({ staging: 'chrome', zone: 'east', hits: 1, misses: 1, hitRate: 0.5 });
  expect(staging.expired).toBeGreaterThanOrEqual(1);
  expect(staging.cost).toBeGreaterThan(0);
  const text = runCli(args);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(
    /staging chrome\s+hit rate 50\.0 % \(1 hits, 1 misses; chrome in zone east, desiredSessions 1\)/,
  );
});

// Bursts of three chrome arrivals a second apart, every 20 minutes: one staged session catches
// only part of a burst, more catch all of it.
const bursts = file(
  'bursts.csv',
  `start,duration_s,cores,memory_mb,workspace\n${[10, 30, 50]
    .flatMap((minute) => [5, 6, 7].map((second) => `2026-03-02T09:${minute}:0${second}Z,300,1,1024,chrome`))
    .join('\n')}\n`,
);
const sweepArgs = [
  'simulate',
  '--config',
  config,
  '--trace',
  bursts,
  '--from',
  '2026-03-02T09:00:00Z',
  '--to',
  '2026-03-02T11:00:00Z',
  '--no-floor',
  '--sweep',
  'staging.chrome.desiredSessions=0,1,3,5',
];

test('a sweep over staging.ID.desiredSessions recommends the cheapest setting meeting --target-hit-rate', () => {
  const json = runCli([...sweepArgs, '--target-hit-rate', '0.9', '--json']);
  expect(json.stderr).toBe('');
  expect(json.code).toBe(0);
  const output = JSON.parse(json.stdout);
  const hitRates = output.points.map((point: { hitRate: number }) => point.hitRate);
  expect(hitRates[0]).toBe(0);
  expect(hitRates[1]).toBeGreaterThan(0);
  expect(hitRates[1]).toBeLessThan(0.9);
  expect(hitRates.slice(2)).toEqual([1, 1]);
  // Each point's hit rate is its staging result's.
  const staging = output.points[1].result.staging[0];
  expect(staging.desiredSessions).toBe(1);
  expect(hitRates[1]).toBeCloseTo(staging.hits / (staging.hits + staging.misses), 9);
  // 3 and 5 both reach 100 %; 3 holds fewer staged sessions, so it is cheaper.
  expect(output.points[2].result.cost).toBeLessThan(output.points[3].result.cost);
  expect(output.recommended).toBe(2);
  const text = runCli([...sweepArgs, '--target-hit-rate', '0.9']);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(/hit rate/);
  expect(text.stdout).toContain('Recommended: #3 staging.chrome.desiredSessions=3: ');
  expect(text.stdout).toMatch(/staged hit rate 100\.0 % \(cheapest meeting hit rate ≥ 90\.0 %\)/);
  const unreachable = runCli([
    ...sweepArgs.slice(0, -1),
    'staging.chrome.desiredSessions=0,1',
    '--target-hit-rate',
    '0.9',
  ]);
  expect(unreachable.code).toBe(0);
  expect(unreachable.stdout).toContain('No setting meets hit rate ≥ 90.0 %.');
});

test('--target-hit-rate is bounded, needs a sweep and staging configs', () => {
  for (const value of ['1.5', '-0.1', 'most']) {
    const result = runCli([...sweepArgs, `--target-hit-rate=${value}`]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`--target-hit-rate ${value}: expected a hit rate between 0 and 1`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }
  const noSweep = runCli([...sweepArgs.slice(0, -2), '--target-hit-rate', '0.9']);
  expect(noSweep.code).not.toBe(0);
  expect(noSweep.stderr).toContain('apply to sweeps');
  const badKey = runCli([...sweepArgs.slice(0, -1), 'staging.firefox.desiredSessions=1']);
  expect(badKey.code).not.toBe(0);
  expect(badKey.stderr).toContain('no staging config with id or index "firefox"');
});

const zonedConfig = file(
  'zones.yaml',
  `providers:
  cloud: { type: fake, maxInstances: 10 }
zones:
  - { id: east, searchAlternateZones: true, alternateZones: [west] }
  - { id: west }
pools:
  - id: agents
    kind: docker-agent
    autoscale:
      - { id: east-agents, provider: cloud, zone: east, aggressiveScaling: true, agent: { cores: 4, memoryMb: 8192 } }
      - { id: west-agents, provider: cloud, zone: west, aggressiveScaling: true, agent: { cores: 4, memoryMb: 8192 } }
staging:
  - { id: chrome-west, pool: agents, autoscale: west-agents, workspace: chrome, desiredSessions: 2, expirationHours: 0, session: { cores: 1, memoryMb: 1024 } }
simulation:
  defaults: { bootTime: 60, bootFailureProbability: 0, checkinDelay: 0, billing: per-second }
  pricePerInstanceHour: 3.6
  arrivalZones: { east: 0, west: 1 }
`,
);
// An east request takes a west staged session (east searches west); the unzoned row is given
// west by simulation.arrivalZones.
const zonedTrace = file(
  'zones.csv',
  'start,duration_s,cores,memory_mb,workspace,zone\n2026-03-02T09:10:05Z,600,1,1024,chrome,east\n2026-03-02T09:10:06Z,600,1,1024,chrome,west\n2026-03-02T09:40:07Z,600,1,1024,chrome,\n',
);

test('summary, --json and the HTML report show the same staging numbers, per config and per zone', () => {
  const args = ['simulate', '--config', zonedConfig, '--trace', zonedTrace, '--from', '2026-03-02T09:00:00Z'];
  const json = runCli([...args, '--to', '2026-03-02T10:30:00Z', '--json', '--no-floor']);
  expect(json.code).toBe(0);
  const { result } = JSON.parse(json.stdout);
  expect(result.staging[0]).toMatchObject({ staging: 'chrome-west', hits: 3, alternateZoneHits: 1, misses: 0 });
  expect(result.stagingZones).toEqual([
    { zone: 'east', hits: 1, alternateZoneHits: 1, misses: 0, hitRate: 1 },
    { zone: 'west', hits: 2, alternateZoneHits: 0, misses: 0, hitRate: 1 },
  ]);
  expect(result.stagedHitRate).toBe(1);
  const reportPath = join(temporary, 'zones.html');
  const text = runCli([...args, '--to', '2026-03-02T10:30:00Z', '--no-floor', '--report', reportPath]);
  expect(text.code).toBe(0);
  const cost = `${result.staging[0].cost.toFixed(2)} USD`;
  expect(text.stdout).toContain(`staged hit rate      100.0 % over 1 staging config(s); staged sessions cost ${cost}`);
  expect(text.stdout).toMatch(/staging chrome-west\s+hit rate 100\.0 % \(3 hits \(1 to other zones\), 0 misses;/);
  expect(text.stdout).toMatch(/staging zone east\s+hit rate 100\.0 % \(1 hits, 1 from alternate zones, 0 misses\)/);
  expect(text.stdout).toMatch(/staging zone west\s+hit rate 100\.0 % \(2 hits, 0 from alternate zones, 0 misses\)/);
  const html = readFileSync(reportPath, 'utf8');
  expect(html).toContain(`Staged hit rate 100.0 % over 1 staging config(s); staged sessions held ${cost}`);
  expect(html).toContain(
    `<tr><td>chrome-west</td><td>chrome</td><td>west</td><td>2</td><td>100.0 %</td><td>3</td><td>1</td><td>0</td>`,
  );
  expect(html).toContain('<tr><td>east</td><td>100.0 %</td><td>1</td><td>1</td><td>0</td></tr>');
});

test('simulation.arrivalZones names known zones with weights ≥ 0', () => {
  const bad = file(
    'bad-zones.yaml',
    readFileSync(zonedConfig, 'utf8').replace(
      'arrivalZones: { east: 0, west: 1 }',
      'arrivalZones: { north: 1, west: -1 }',
    ),
  );
  const result = runCli(['simulate', '--config', bad, '--trace', zonedTrace]);
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain('simulation.arrivalZones.west');
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const unknown = file('unknown-zone.yaml', readFileSync(bad, 'utf8').replace('west: -1', 'west: 1'));
  const second = runCli(['simulate', '--config', unknown, '--trace', zonedTrace]);
  expect(second.code).not.toBe(0);
  expect(second.stderr).toContain('simulation.arrivalZones.north: no zone "north"');
});
