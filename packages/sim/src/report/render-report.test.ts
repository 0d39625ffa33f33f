import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { BILLING_PER_SECOND } from '../cloud-model.js';
import { computeOracle } from '../results/compute-oracle.js';
import { createResultsRecorder } from '../results/results-recorder.js';
import type { SimulationResult } from '../results/simulation-result.js';
import { readSwfTrace } from '../trace/read-swf-trace.js';
import { renderReport } from './render-report.js';

const chromiumPath = '/usr/bin/chromium';
const artifactsDirectory = join(dirname(fileURLToPath(import.meta.url)), '../../../../test-artifacts');
const agent = { cores: 16, memoryMb: 65536, gpus: 0 };

/** A result from real load (two weeks of the NASA iPSC log) and a fleet that follows the oracle plus one spare agent. */
async function exampleResult(): Promise<SimulationResult> {
  const fromMs = Date.UTC(1993, 9, 25, 7);
  const toMs = Date.UTC(1993, 10, 8, 8);
  const trace = await readSwfTrace({
    path: '/work/shared/data/pwa-nasa-ipsc-1993/NASA-iPSC-1993-3.1-cln.csv.gz',
    fromMs,
    toMs,
    coresPerProcessor: 0.25,
    memoryMbPerProcessor: 1024,
  });
  const oracle = computeOracle({
    sessions: trace.sessions,
    agent,
    billing: BILLING_PER_SECOND,
    pricePerInstanceHour: 0.68,
  });
  const recorder = createResultsRecorder({
    startMs: fromMs,
    endMs: toMs + 86_400_000,
    timezone: 'America/Los_Angeles',
    label: 'NASA iPSC, two weeks',
    autoscale: [
      { id: 'agents', pricePerInstanceHour: 0.68, billing: BILLING_PER_SECOND, downscaleBackoffSeconds: 600 },
    ],
  });
  const events = trace.sessions.flatMap((session) => [
    { atMs: session.startMs, sign: 1, session },
    { atMs: session.startMs + session.durationMs, sign: -1, session },
  ]);
  events.sort((a, b) => a.atMs - b.atMs || a.sign - b.sign);
  const demand = { cores: 0, memoryMb: 0, gpus: 0 };
  let running = 0;
  let instances = 0;
  let nextId = 0;
  const alive: string[] = [];
  for (const [index, event] of events.entries()) {
    demand.cores += event.sign * event.session.cores;
    demand.memoryMb += event.sign * event.session.memoryMb;
    running += event.sign;
    if (event.sign > 0) recorder.sessionStarted({ waitedMs: index % 7 === 0 ? (index % 300) * 1000 : 0 });
    if (events[index + 1]?.atMs === event.atMs) continue;
    const wanted =
      Math.max(Math.ceil(demand.cores / agent.cores - 1e-9), Math.ceil(demand.memoryMb / agent.memoryMb - 1e-9)) + 1;
    while (instances < wanted) {
      const instanceId = `agent-${nextId++}`;
      recorder.instanceCreated({ instanceId, autoscaleId: 'agents', atMs: event.atMs });
      recorder.instanceRunning({ instanceId, atMs: event.atMs + 45_000 });
      alive.push(instanceId);
      instances++;
    }
    while (instances > wanted) {
      recorder.instanceDestroyed({ instanceId: alive.pop()!, atMs: event.atMs, reason: 'scale-down' });
      instances--;
    }
    const used = { cores: Math.max(0, demand.cores), memoryMb: Math.max(0, demand.memoryMb), gpus: 0 };
    recorder.fleet({
      atMs: event.atMs,
      instancesByState: { running: instances },
      capacity: { cores: instances * agent.cores, memoryMb: instances * agent.memoryMb, gpus: 0 },
      demand: used,
      used,
      sessionsRunning: running,
      sessionsWaiting: index % 50 === 0 ? 2 : 0,
      idleInstances: running === 0 ? instances : 0,
    });
  }
  return recorder.finish({ atMs: toMs + 86_400_000, oracle });
}

describe('renderReport', () => {
  test('is one self-contained page with the data embedded and no remote resources', async () => {
    const result = await exampleResult();
    const html = renderReport({
      result,
      sweep: [{ settings: { 'standby.cores': 0 }, cost: 10, p95WaitSeconds: 30, refused: 0 }],
    });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).toContain('Oracle lower bound');
    const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(JSON.parse(json).result.sessions.served).toBe(result.sessions.served);
    const injected = renderReport({ result: { ...result, label: '</script><b>x' } });
    expect(injected).not.toContain('</script><b>x');
  });

  const haveChromium = existsSync(chromiumPath);
  if (!haveChromium && !process.env.CI) {
    console.warn(
      `renderReport browser test skipped: ${chromiumPath} is missing (apt-get install -y chromium); it fails instead when CI is set`,
    );
  }
  test.skipIf(!haveChromium && !process.env.CI)(
    'renders every chart with data in headless Chromium, without console errors',
    async () => {
      expect(existsSync(chromiumPath), `${chromiumPath} is required when CI is set (apt-get install -y chromium)`).toBe(
        true,
      );
      const result = await exampleResult();
      const sweep = [
        { settings: { 'standby.cores': 0, downscaleBackoffSeconds: 300 }, cost: 120, p95WaitSeconds: 95, refused: 0 },
        { settings: { 'standby.cores': 16, downscaleBackoffSeconds: 300 }, cost: 150, p95WaitSeconds: 12, refused: 0 },
        { settings: { 'standby.cores': 16, downscaleBackoffSeconds: 1800 }, cost: 170, p95WaitSeconds: 20, refused: 0 },
        { settings: { 'standby.cores': 32, downscaleBackoffSeconds: 1800 }, cost: 210, p95WaitSeconds: 0, refused: 0 },
      ];
      await mkdir(artifactsDirectory, { recursive: true });
      const htmlPath = join(artifactsDirectory, 'report.html');
      await writeFile(htmlPath, renderReport({ result, sweep }));
      const browser = await chromium.launch({
        executablePath: chromiumPath,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const problems: string[] = [];
        const remoteRequests: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error') problems.push(message.text());
        });
        page.on('pageerror', (error) => problems.push(error.message));
        await page.route('**/*', (route) => {
          const url = route.request().url();
          if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
          remoteRequests.push(url);
          return route.abort();
        });
        await page.goto(`file://${htmlPath}`);
        await page.waitForSelector('body[data-charts-rendered]');
        const charts = (await page.evaluate(`Array.from(document.querySelectorAll('[data-chart]')).map((element) => {
        const chart = window.echarts.getInstanceByDom(element);
        const series = chart ? chart.getOption().series : [];
        return {
          name: element.getAttribute('data-chart'),
          canvas: element.querySelector('canvas') !== null,
          seriesCount: series.length,
          pointsPerSeries: series.map((entry) => entry.data.length),
        };
      })`)) as { name: string; canvas: boolean; seriesCount: number; pointsPerSeries: number[] }[];
        expect(charts.map((chart) => [chart.name, chart.canvas, chart.seriesCount])).toEqual([
          ['demand', true, 4],
          ['instances', true, 2],
          ['sessions', true, 2],
          ['waits', true, 1],
          ['cost', true, 2],
          ['pareto', true, 2],
        ]);
        for (const chart of charts) {
          for (const points of chart.pointsPerSeries) expect(points, `${chart.name} has data`).toBeGreaterThan(0);
        }
        expect(charts.find((chart) => chart.name === 'demand')!.pointsPerSeries[0]).toBe(result.timeline.atMs.length);
        expect(charts.find((chart) => chart.name === 'pareto')!.pointsPerSeries).toEqual([4, 3]);
        expect(problems).toEqual([]);
        expect(remoteRequests).toEqual([]);
        await page.screenshot({ path: join(artifactsDirectory, 'report.png'), fullPage: true });
      } finally {
        await browser.close();
      }
    },
    // Chromium's start-up alone takes tens of seconds on a loaded 2-core machine.
    120_000,
  );
});
