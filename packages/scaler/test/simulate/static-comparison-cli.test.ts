import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@headroom/core';
import { describe, expect, test } from 'vitest';
import { staticVariant } from '../../src/simulate/static-comparison.js';
import { runCli } from '../run-cli.js';

// Runs the BUILT binary (`pnpm -s build` first).
const temporary = mkdtempSync(join(tmpdir(), 'headroom-static-comparison-'));
const file = (name: string, text: string) => {
  const path = join(temporary, name);
  writeFileSync(path, text);
  return path;
};
const configText = `providers:
  cloud: { type: fake, maxInstances: 40 }
pools:
  - id: agents
    kind: docker-agent
    autoscale:
      - id: always
        provider: cloud
        aggressiveScaling: true
        agent: { cores: 4, memoryMb: 8192 }
        downscaleBackoffSeconds: 300
        predictiveStandby: { quantile: 1, confidenceFloor: 5 }
simulation:
  defaults:
    bootTime: 120
    bootFailureProbability: 0
    checkinDelay: 0
    billing: per-second
  pricePerInstanceHour: { always: 1 }
`;
const config = file('predictive.yaml', configText);
// Every day at 09:00 a burst of eight 2-core, 30-minute sessions: day 1 teaches, days 2–4 are measured.
// A small session from midnight makes the learning start then (it learns from the first session on).
const rows = ['start,duration_s,cores,memory_mb', '2026-03-02T00:00:00Z,60,1,1024'];
for (let day = 2; day <= 5; day++)
  for (let index = 0; index < 8; index++) rows.push(`2026-03-0${day}T09:00:${10 + index}Z,1800,2,2048`);
const trace = file('bursts.csv', `${rows.join('\n')}\n`);
const measured = ['--measure-from', '2026-03-03T00:00:00Z', '--measure-to', '2026-03-06T00:00:00Z'];

describe('headroom simulate: predictive standby against the best static standby', () => {
  test('a run with predictiveStandby searches the cheapest static standby that waits no longer', () => {
    const { code, stdout, stderr } = runCli([
      'simulate',
      '--config',
      config,
      '--trace',
      trace,
      ...measured,
      '--no-floor',
      '--json',
    ]);
    expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(code).toBe(0);
    const run = JSON.parse(stdout);
    const comparison = run.staticComparison;
    expect(comparison.target.p95WaitSeconds).toBe(run.result.sessions.waitSeconds.p95);
    // Learnt on day 1: 16 cores of growth in the hour before 09:00, so no one waits on days 2–4.
    expect(run.result.sessions.waitSeconds.p95).toBe(0);
    // Static needs the whole burst (4 agents of 4 cores) ready all day to match; doubling 1, 2, 4, then bisection 3.
    expect(comparison.static).toMatchObject({ agents: 4, p95WaitSeconds: 0, refused: 0 });
    expect(comparison.runs).toBe(4);
    expect(comparison.static.costRatio).toBeCloseTo(run.result.cost / comparison.static.cost, 9);
    expect(comparison.static.costRatio).toBeLessThan(0.5);
  }, 120_000);

  test('--no-static-comparison skips the search; the summary prints the comparison otherwise', () => {
    const skipped = runCli([
      'simulate',
      '--config',
      config,
      '--trace',
      trace,
      '--no-floor',
      '--no-static-comparison',
      '--json',
    ]);
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.stdout).staticComparison).toBeUndefined();
    const reportPath = join(temporary, 'report.html');
    const text = runCli([
      'simulate',
      '--config',
      config,
      '--trace',
      trace,
      ...measured,
      '--no-floor',
      '--report',
      reportPath,
    ]);
    expect(text.code).toBe(0);
    expect(readFileSync(reportPath, 'utf8')).toMatch(
      /<th>Predictive against static standby<\/th><td>predictive standby: cost [\d.]+ USD, p95 wait 0 s, 0 refused; best static standby[^<]*4 agent\(s\) per config/,
    );
    expect(text.stdout).toMatch(/best static standby with p95 wait ≤ \d+ s and refused ≤ 0: \d+ agent\(s\) per config/);
    expect(text.stdout).toMatch(/predictive costs \d\.\d{3}× that static setting/);
  }, 120_000);
});

describe('staticVariant', () => {
  test('replaces predictive standby by whole agents, never below the static standby', () => {
    const parsed = parseConfig({
      providers: { cloud: { type: 'fake', maxInstances: 4 } },
      pools: [
        {
          id: 'agents',
          kind: 'docker-agent',
          autoscale: [
            {
              id: 'a',
              provider: 'cloud',
              agent: { cores: 4, memoryMb: 8192 },
              standby: { cores: 10, memoryMb: 0 },
              predictiveStandby: { quantile: 0.9 },
            },
            { id: 'b', provider: 'cloud', agent: { cores: 4, memoryMb: 8192 }, standby: { cores: 1, memoryMb: 0 } },
          ],
        },
      ],
    });
    const variant = staticVariant(parsed, 2);
    const [a, b] = variant.pools[0]!.autoscale as { standby: object; predictiveStandby?: object }[];
    expect(a!.predictiveStandby).toBeUndefined();
    expect(a!.standby).toMatchObject({ cores: 10, memoryMb: 16384, gpus: 0 });
    // Configs without predictive standby keep theirs; the input is not changed.
    expect(b!.standby).toMatchObject({ cores: 1, memoryMb: 0 });
    expect(parsed.pools[0]!.autoscale[0]).toHaveProperty('predictiveStandby');
  });
});
