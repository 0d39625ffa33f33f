import { mkdtempSync, writeFileSync } from 'node:fs';
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
