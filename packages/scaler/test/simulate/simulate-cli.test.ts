import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { runCli } from '../run-cli.js';

// Runs the BUILT binary (`pnpm -s build` first): the sweep needs the compiled worker script.
const temporary = mkdtempSync(join(tmpdir(), 'headroom-simulate-'));
const file = (name: string, text: string) => {
  const path = join(temporary, name);
  writeFileSync(path, text);
  return path;
};
const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
const limitMs = 120_000;

const smallConfigText = (billing: string) => `providers:
  cloud: { type: fake, maxInstances: 10 }
pools:
  - id: agents
    kind: docker-agent
    autoscale:
      - id: always
        provider: cloud
        aggressiveScaling: true
        agent: { cores: 4, memoryMb: 8192 }
        downscaleBackoffSeconds: 600
simulation:
  defaults:
    bootTime: 60
    bootFailureProbability: 0
    checkinDelay: 0
    billing: ${billing}
  pricePerInstanceHour: { always: 1.5 }
`;
const perHourConfig = file('per-hour.yaml', smallConfigText('per-hour'));
const perSecondConfig = file('per-second.yaml', smallConfigText('per-second'));
// Two 1-hour sessions of 2 cores arrive together at 09:00 on an empty fleet.
const smallTrace = file(
  'small.csv',
  'start,duration_s,cores,memory_mb\n2026-03-02T09:00:00Z,3600,2,4096\n2026-03-02T09:00:00Z,3600,2,4096\n',
);

interface Result {
  cost: number;
  instanceHours: number;
  billedInstanceHours: number;
  peakInstances: number;
  idleInstanceHours: number;
  scaleUps: number;
  scaleDowns: number;
  costRatio?: number;
  oracle?: { cost: number; instanceHours: number; peakInstances: number };
  sessions: {
    total: number;
    served: number;
    waited: number;
    refused: number;
    waitSeconds: { p50: number; p95: number; p99: number; max: number };
  };
  timeline: { atMs: number[] };
}

describe('headroom simulate: the demo', () => {
  test(
    'replays the bundled week, prints the summary and writes the report',
    () => {
      const report = join(temporary, 'demo-report.html');
      const result = runCli([
        'simulate',
        '--config',
        'examples/demo.yaml',
        '--trace',
        'examples/traces/azure-vm-2017-week.csv.gz',
        '--report',
        report,
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('azure-vm-2017-week.csv.gz: 10118 sessions');
      expect(result.stdout).toMatch(/^cost\s+\d+\.\d\d USD$/m);
      expect(result.stdout).toMatch(/^oracle lower bound\s+\d+\.\d\d USD .*cost ratio \d+\.\d\d ×$/m);
      expect(result.stdout).toMatch(/^instance-hours\s+\d+\.\d \(billed \d+\.\d\)$/m);
      expect(result.stdout).toMatch(/^instances\s+peak \d+, mean \d+\.\d\d$/m);
      expect(result.stdout).toMatch(/^sessions\s+10118 total, \d+ served, \d+ waited, \d+ refused/m);
      expect(result.stdout).toMatch(/^wait\s+p50 .+, p95 .+, p99 .+, max .+$/m);
      expect(result.stdout).toMatch(/^idle capacity\s+\d+\.\d idle instance-hours/m);
      expect(result.stdout).toMatch(/^scaling\s+\d+ scale-ups, \d+ scale-downs, \d+ thrash/m);
      expect(result.stdout).toContain(`report: ${report}`);
      expect(statSync(report).size).toBeGreaterThan(100_000);
      const html = readFileSync(report, 'utf8');
      expect(html).toMatch(/^<!doctype html>/i);
      expect(html).toContain('data-chart=');
      expect(html).not.toMatch(/<script[^>]+src=["']https?:/);
    },
    limitMs,
  );
});

describe('headroom simulate: a hand-checked run', () => {
  // The session arrives at 09:00; the tick at 09:00 creates one 4-core agent, which boots in 60 s:
  // both sessions wait 60 s and run 09:01–10:01; the agent idles for the 600 s backoff and is
  // destroyed at 10:11 (71 min). The oracle holds one agent for exactly the hour of demand.
  test(
    'per-hour billing: 2 billed hours at 1.5 = 3.00, oracle 1.50, ratio 2',
    () => {
      const result = runCli(['simulate', '--config', perHourConfig, '--trace', smallTrace, '--json']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const run = JSON.parse(result.stdout) as { result: Result; stats: { events: number }; warnings: string[] };
      expect(Object.keys(run).sort()).toEqual(['result', 'stats', 'warnings']);
      const { result: simulation } = run;
      expect(simulation.cost).toBeCloseTo(3, 9);
      expect(simulation.instanceHours).toBeCloseTo(71 / 60, 9);
      expect(simulation.billedInstanceHours).toBeCloseTo(2, 9);
      expect(simulation.oracle?.cost).toBeCloseTo(1.5, 9);
      expect(simulation.oracle?.instanceHours).toBeCloseTo(1, 9);
      expect(simulation.costRatio).toBeCloseTo(2, 9);
      expect(simulation.peakInstances).toBe(1);
      expect(simulation.idleInstanceHours).toBeCloseTo(10 / 60, 9);
      expect(simulation.scaleUps).toBe(1);
      expect(simulation.scaleDowns).toBe(1);
      expect(simulation.sessions).toMatchObject({ total: 2, served: 2, waited: 2, refused: 0 });
      expect(simulation.sessions.waitSeconds).toMatchObject({ p50: 60, p95: 60, p99: 60, max: 60 });
      expect(simulation.timeline.atMs.length).toBeGreaterThan(0);
      expect(run.stats.events).toBeGreaterThan(0);
    },
    limitMs,
  );

  test(
    'per-second billing: 71 min at 1.5 per hour = 1.775 (shown as 1.77: toFixed of 1.7749…)',
    () => {
      const json = runCli(['simulate', '--config', perSecondConfig, '--trace', smallTrace, '--json']);
      expect(json.code).toBe(0);
      expect((JSON.parse(json.stdout) as { result: Result }).result.cost).toBeCloseTo(1.775, 9);
      const text = runCli(['simulate', '--config', perSecondConfig, '--trace', smallTrace]);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/^cost\s+1\.77 USD$/m);
      expect(text.stdout).toMatch(/^oracle lower bound\s+1\.50 USD .*cost ratio 1\.18 ×$/m);
      expect(text.stdout).toMatch(/^wait\s+p50 60 s, p95 60 s, p99 60 s, max 60 s/m);
    },
    limitMs,
  );

  test(
    '--time-shift and --scale-sizes reach the trace reader',
    () => {
      const result = runCli([
        'simulate',
        '--config',
        perHourConfig,
        '--trace',
        smallTrace,
        '--json',
        '--time-shift',
        '3600',
        '--scale-sizes',
        '2',
      ]);
      expect(result.code).toBe(0);
      const simulation = (JSON.parse(result.stdout) as { result: Result & { startMs: number } }).result;
      // Doubled sizes fill two agents; the run starts 900 s before the shifted first arrival (10:00).
      expect(simulation.peakInstances).toBe(2);
      expect(simulation.startMs).toBe(Date.parse('2026-03-02T09:45:00Z'));
    },
    limitMs,
  );
});

describe('headroom simulate --sweep', () => {
  const sweepArguments = [
    'simulate',
    '--config',
    perSecondConfig,
    '--trace',
    smallTrace,
    '--sweep',
    'standby.cores=0,4',
    '--sweep',
    'downscaleBackoffSeconds=600,60',
  ];

  test(
    'a 2×2 grid: table, Pareto front and the cheapest point meeting the target',
    () => {
      const json = runCli([...sweepArguments, '--target-p95-wait', '30', '--json']);
      expect(json.stderr).toBe('');
      expect(json.code).toBe(0);
      const sweep = JSON.parse(json.stdout) as {
        points: { settings: Record<string, number>; result: Result }[];
        paretoFront: number[];
        recommended: number | null;
      };
      expect(sweep.points.map((point) => point.settings)).toEqual([
        { 'standby.cores': 0, downscaleBackoffSeconds: 600 },
        { 'standby.cores': 0, downscaleBackoffSeconds: 60 },
        { 'standby.cores': 4, downscaleBackoffSeconds: 600 },
        { 'standby.cores': 4, downscaleBackoffSeconds: 60 },
      ]);
      // Without standby both sessions wait for the boot; with one agent of standby nobody waits.
      for (const point of sweep.points.slice(0, 2)) expect(point.result.sessions.waitSeconds.p95).toBe(60);
      for (const point of sweep.points.slice(2)) expect(point.result.sessions.waitSeconds.p95).toBe(0);
      // A shorter backoff destroys the idle agent sooner, so it is cheaper.
      expect(sweep.points[1]!.result.cost).toBeLessThan(sweep.points[0]!.result.cost);
      expect(sweep.points[3]!.result.cost).toBeLessThan(sweep.points[2]!.result.cost);
      const eligible = sweep.points
        .map((point, index) => ({ index, cost: point.result.cost, wait: point.result.sessions.waitSeconds.p95 }))
        .filter((point) => point.wait <= 30)
        .sort((a, b) => a.cost - b.cost);
      expect(sweep.recommended).toBe(eligible[0]!.index);
      expect(sweep.paretoFront).toContain(sweep.recommended);
      expect(sweep.paretoFront).toContain(1);

      const report = join(temporary, 'sweep-report.html');
      const text = runCli([...sweepArguments, '--target-p95-wait', '30', '--report', report]);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/standby\.cores\s+downscaleBackoffSeconds\s+cost \(USD\)/);
      expect(text.stdout).toMatch(/^Pareto front \(cost versus p95 wait\): #\d/m);
      expect(text.stdout).toContain(
        `Recommended: #${sweep.recommended! + 1} standby.cores=4, downscaleBackoffSeconds=${sweep.points[sweep.recommended!]!.settings.downscaleBackoffSeconds}`,
      );
      expect(existsSync(report)).toBe(true);
      expect(readFileSync(report, 'utf8')).toContain('data-chart="pareto"');
    },
    limitMs,
  );

  test(
    'says so when no point meets the limits',
    () => {
      const result = runCli([
        'simulate',
        '--config',
        perSecondConfig,
        '--trace',
        smallTrace,
        '--sweep',
        'downscaleBackoffSeconds=60,600',
        '--target-p95-wait',
        '30',
        '--max-refused',
        '0%',
      ]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('No setting meets p95 wait ≤ 30 s and refused ≤ 0%.');
    },
    limitMs,
  );

  test(
    'a key that names no autoscale field: exit 2 naming the key',
    () => {
      const result = runCli([...sweepArguments.slice(0, 5), '--sweep', 'standby.disks=1,2']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('sweep key "standby.disks"');
      noStackTrace(result.stderr);
    },
    limitMs,
  );
});

describe('headroom simulate: mistakes exit 2 with a message and no stack trace', () => {
  test.each([
    [['--trace', 'x.csv'], 'missing required --config'],
    [['--config', 'examples/demo.yaml'], 'missing required --trace'],
    [['--config', 'examples/demo.yaml', '--trace', 'x.csv', '--bogus'], "Unknown option '--bogus'"],
    [['--config', 'examples/demo.yaml', '--trace', 'x.csv', '--placement', 'diagonal'], '--placement diagonal'],
    [['--config', 'examples/demo.yaml', '--trace', 'x.csv', '--seed', '1.5'], '--seed 1.5: expected a whole number'],
    [['--config', 'examples/demo.yaml', '--trace', 'x.csv', '--format', 'xml'], '--format xml'],
    [['--config', 'examples/demo.yaml', '--trace', 'x.csv', '--from', '2017-01-28'], '--from 2017-01-28'],
    [['--config', 'examples/demo.yaml', '--trace', 'x.csv', '--timezone', 'Mars/Base'], '--timezone Mars/Base'],
    [['--config', 'examples/demo.yaml', '--trace', 'x.csv', '--target-p95-wait', '60'], 'apply to sweeps'],
    [['--config', 'examples/demo.yaml', '--trace', join(temporary, 'missing.csv')], 'cannot read (no such file)'],
  ])('%j', (flags, message) => {
    const result = runCli(['simulate', ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    noStackTrace(result.stderr);
  });

  test('a malformed trace row: exit 2 naming file:line:column', () => {
    const trace = file(
      'bad.csv',
      'start,duration_s,cores,memory_mb\n2026-03-02T09:00:00Z,3600,2,4096\n2026-03-02T09:05:00Z,3600,x,4096\n',
    );
    const result = runCli(['simulate', '--config', perHourConfig, '--trace', trace]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${trace}:3:3: cores:`);
    noStackTrace(result.stderr);
  });

  test('a bad simulation section: exit 2 listing each problem by path', () => {
    const config = file(
      'bad-simulation.yaml',
      `${smallConfigText('per-week')}  placement: diagonal
  providers:
    cloud:
      bootTime: { kind: log-normal, medianSeconds: 90, p95Seconds: 30 }
      bootFailureProbability: 2
      spotPrice: 1
`,
    );
    const result = runCli(['simulate', '--config', config, '--trace', smallTrace]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`invalid configuration in ${config}`);
    expect(result.stderr).toContain('simulation.defaults.billing: must be per-second, per-minute, per-hour');
    expect(result.stderr).toContain('simulation.placement: must be spread or pack');
    expect(result.stderr).toContain(
      'simulation.providers.cloud.bootTime.p95Seconds: p95Seconds must be ≥ medianSeconds',
    );
    expect(result.stderr).toContain('simulation.providers.cloud.bootFailureProbability: must be ≤ 1');
    expect(result.stderr).toContain('simulation.providers.cloud.spotPrice: unknown field');
    noStackTrace(result.stderr);
  });

  test('simulation ids that are not in the config: exit 2 by path', () => {
    const config = file(
      'bad-ids.yaml',
      `${smallConfigText('per-second').replace('{ always: 1.5 }', '{ always: 1.5, nightly: 2 }')}  providers:
    elsewhere: { bootTime: 30 }
`,
    );
    const result = runCli(['simulate', '--config', config, '--trace', smallTrace]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('simulation.providers.elsewhere: no provider config "elsewhere"');
    expect(result.stderr).toContain('simulation.pricePerInstanceHour.nightly: no autoscale config "nightly"');
    noStackTrace(result.stderr);
  });

  describe('trace values and inputs are bounded (issue 13)', () => {
    const header = 'start,duration_s,cores,memory_mb\n';
    test.each([
      ['a duration of 1e300 s', '2026-03-02T09:00:00Z,1e300,2,4096', ':2:2: duration_s: expected a duration of 0 to'],
      ['a start ten million years out', '315569520000000,60,2,4096', ':2:1: start: expected a start from 1970 to 2199'],
      [
        'an ISO start in year 9999',
        '9999-01-01T00:00:00Z,60,2,4096',
        ':2:1: start: expected a start from 1970 to 2199',
      ],
      ['cores = 1e300', '2026-03-02T09:00:00Z,60,1e300,4096', ':2:3: cores: expected 0 to 100000 cores'],
      ['memory of 1e300 MiB', '2026-03-02T09:00:00Z,60,2,1e300', ':2:4: memory_mb: expected 0 to'],
    ])('%s: exit 2 naming file:line:column and field, no stack trace', (name, row, message) => {
      const trace = file(`${name.replaceAll(' ', '-')}.csv`, `${header}${row}\n`);
      const result = runCli(['simulate', '--config', perHourConfig, '--trace', trace]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${trace}${message}`);
      noStackTrace(result.stderr);
    });

    test('a truncated .gz trace: exit 2 naming the file, no stack trace', () => {
      const whole = gzipSync(`${header}${'2026-03-02T09:00:00Z,60,2,4096\n'.repeat(5000)}`);
      const trace = join(temporary, 'truncated.csv.gz');
      writeFileSync(trace, whole.subarray(0, Math.floor(whole.length / 2)));
      const result = runCli(['simulate', '--config', perHourConfig, '--trace', trace]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${trace}:`);
      expect(result.stderr).toContain('corrupt or truncated gzip data');
      noStackTrace(result.stderr);
    });

    test('a YAML alias bomb as config: exit 2, no stack trace', () => {
      const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
      for (let level = 1; level < 12; level++) {
        const previous = String.fromCharCode(96 + level);
        levels.push(
          `${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(10).fill(`*${previous}`).join(', ')}]`,
        );
      }
      const config = file('alias-bomb.yaml', `${smallConfigText('per-hour')}${levels.join('\n')}\n`);
      const result = runCli(['simulate', '--config', config, '--trace', smallTrace]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${config}: aliases expand too far`);
      noStackTrace(result.stderr);
    });
  });
});
