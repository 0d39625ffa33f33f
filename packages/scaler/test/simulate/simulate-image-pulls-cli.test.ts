import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runCli } from '../run-cli.js';

// Runs the BUILT binary (`pnpm -s build` first).
const temporary = mkdtempSync(join(tmpdir(), 'headroom-simulate-images-'));
const file = (name: string, text: string) => {
  const path = join(temporary, name);
  writeFileSync(path, text);
  return path;
};

const configText = (bandwidth: string) => `providers:
  cloud: { type: fake, maxInstances: 10 }
pools:
  - id: agents
    kind: docker-agent
    autoscale:
      - { id: always, provider: cloud, aggressiveScaling: true, agent: { cores: 4, memoryMb: 8192 } }
workspaces:
  - { id: chrome, image: kasmweb/chrome:1.16.0, registry: { url: registry.example.com }, sizeMb: 6000 }
simulation:
  defaults: { bootTime: 60, bootFailureProbability: 0, checkinDelay: 0, billing: per-second, pullBandwidthMbPerSecond: ${bandwidth} }
  pricePerInstanceHour: { always: 3.6 }
`;
// One chrome session at 09:00 (a tick): the agent created then runs at 09:01 and pulls 6,000 MB
// at 100 MB/s until 09:02, so the session waits 120 s, 60 of them on the pull.
const trace = file(
  'trace.csv',
  'start,duration_s,cores,memory_mb,workspace\n2026-03-02T09:00:00Z,1800,1,1024,chrome\n',
);

test('headroom simulate reports the capacity that waited on image pulls (text, --json, --report)', () => {
  const config = file('images.yaml', configText('100'));
  const report = join(temporary, 'report.html');
  const json = runCli(['simulate', '--config', config, '--trace', trace, '--json', '--report', report]);
  expect(json.stderr.trim()).toBe(`report: ${report}`);
  expect(json.code).toBe(0);
  const { result } = JSON.parse(json.stdout);
  expect(result.sessions.waitSeconds.max).toBe(120);
  expect(result.imagePulls).toEqual({
    pulls: 1,
    meanPullSeconds: 60,
    waitingInstanceHours: 60 / 3600,
    waitingCoreHours: (4 * 60) / 3600,
    waitingCost: expect.closeTo(0.06, 9),
    sessionsWaited: 1,
  });
  const html = readFileSync(report, 'utf8');
  expect(html).toContain('Sessions that waited on a pull</th><td>1<');
  const text = runCli(['simulate', '--config', config, '--trace', trace, '--no-floor']);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(
    /image pulls\s+1 pulls \(mean 60 s\); agents waited 0\.02 agent-hours, 0\.07 core-hours \(0\.06 USD\); 1 sessions waited on a pull/,
  );
});

test('headroom simulate refuses a pull bandwidth out of bounds, naming the field', () => {
  const config = file('bad-images.yaml', configText('0'));
  const result = runCli(['simulate', '--config', config, '--trace', trace]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('simulation.defaults.pullBandwidthMbPerSecond: must be > 0');
  expect(result.stderr).not.toMatch(/\n\s+at /);
});
