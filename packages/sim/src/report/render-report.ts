import { INSTANCE_STATES } from '@headroom/core';
import { DateTime } from 'luxon';
import { GAP_PARTS } from '../results/gap-split.js';
import { paretoFront } from '../results/pareto-front.js';
import type { SimulationResult, SweepPoint } from '../results/simulation-result.js';
import { escapeHtml } from './escape-html.js';
import { loadEchartsSource } from './load-echarts-source.js';
import { REPORT_SCRIPT } from './report-script.js';
import { renderStagingSection, sweepHitRateCell } from './staging-section.js';

export interface RenderReportOptions {
  result: SimulationResult;
  /** Sweep points; adds the cost-versus-p95-wait chart with its Pareto front and a table. */
  sweep?: readonly SweepPoint[];
  title?: string;
  /** Label of money amounts. Defaults to `USD`. */
  currency?: string;
  /** Extra summary rows from the host, as plain text (escaped here), e.g. predictive against static standby. */
  notes?: readonly { name: string; text: string }[];
}

/**
 * One self-contained HTML page (ECharts inlined, no network access) with the run's summary and
 * charts: demand vs capacity, instances by state (with the oracle fleet), sessions running and
 * waiting, the wait histogram, cost per day, staged sessions (hit rate, hits and misses, cost; per
 * staging config and per zone), and for sweeps the Pareto front (with each point's staged hit rate). Times are shown in
 * `result.timezone`.
 */
export function renderReport(options: RenderReportOptions): string {
  const { result } = options;
  const currency = options.currency ?? 'USD';
  const title = options.title ?? `Headroom simulation${result.label ? `: ${result.label}` : ''}`;
  const localAtMs = result.timeline.atMs.map(
    (atMs) => atMs + DateTime.fromMillis(atMs, { zone: result.timezone }).offset * 60_000,
  );
  const states = INSTANCE_STATES.filter(
    (state) => state === 'running' || result.timeline.instancesByState[state].some((value) => value > 0),
  );
  const bounds = result.waitHistogram.upperBoundSeconds;
  const waitLabels = [
    ...bounds.map((bound, index) => (index === 0 ? '0 s' : `≤ ${formatSeconds(bound)}`)),
    `> ${formatSeconds(bounds.at(-1) ?? 0)}`,
  ];
  const sweep =
    options.sweep && options.sweep.length > 0
      ? { points: options.sweep, front: paretoFront(options.sweep) }
      : undefined;
  const data = { result, localAtMs, states, waitLabels, currency, sweep };
  const money = (value: number) => `${value.toFixed(2)} ${escapeHtml(currency)}`;
  const wait = result.sessions.waitSeconds;
  const rows: [string, string][] = [
    [
      'Period',
      `${formatInstant(result.startMs, result.timezone)} – ${formatInstant(result.endMs, result.timezone)} (${escapeHtml(result.timezone)})`,
    ],
    ['Cost', money(result.cost)],
    ...(result.oracle
      ? ([
          [
            'Oracle lower bound',
            `${money(result.oracle.cost)} (without billing rounding ${money(result.oracle.fluidCost)})`,
          ],
          ['Cost ratio to the oracle', result.costRatio !== undefined ? `${result.costRatio.toFixed(2)} ×` : '–'],
        ] as [string, string][])
      : []),
    ['Instance-hours (billed)', `${result.instanceHours.toFixed(1)} (${result.billedInstanceHours.toFixed(1)})`],
    ['Instances: peak / mean', `${result.peakInstances} / ${result.meanInstances.toFixed(2)}`],
    [
      'Idle / stranded instance-hours',
      `${result.idleInstanceHours.toFixed(1)} / ${result.strandedInstanceHours.toFixed(1)}`,
    ],
    ...gapRows(result, money),
    [
      'Sessions: total / served / waited / refused',
      `${result.sessions.total} / ${result.sessions.served} / ${result.sessions.waited} / ${result.sessions.refused}${result.sessions.gaveUp ? ` (${result.sessions.gaveUp} gave up)` : ''}`,
    ],
    ['Sessions at once (peak)', String(result.sessions.peakConcurrent)],
    [
      'Wait p50 / p95 / p99 / max',
      `${formatSeconds(wait.p50)} / ${formatSeconds(wait.p95)} / ${formatSeconds(wait.p99)} / ${formatSeconds(wait.max)}`,
    ],
    ['Scale-ups / scale-downs / thrash', `${result.scaleUps} / ${result.scaleDowns} / ${result.thrash}`],
    ['Boot failures / check-in timeouts', `${result.bootFailures} / ${result.checkinTimeouts}`],
    ...(options.notes ?? []).map(({ name, text }): [string, string] => [name, escapeHtml(text)]),
    ...(result.imagePulls
      ? ([
          [
            'Image pulls (mean time)',
            `${result.imagePulls.pulls} (${formatSeconds(result.imagePulls.meanPullSeconds)})`,
          ],
          [
            'Waiting on pulls: agent-hours / core-hours / cost',
            `${result.imagePulls.waitingInstanceHours.toFixed(2)} / ${result.imagePulls.waitingCoreHours.toFixed(2)} / ${money(result.imagePulls.waitingCost)}`,
          ],
          ['Sessions that waited on a pull', String(result.imagePulls.sessionsWaited)],
        ] as [string, string][])
      : []),
  ];
  const staged = sweep?.points.some((point) => point.hitRate !== undefined) ?? false;
  const sweepTable = sweep
    ? `<h2>Sweep: cost versus p95 wait</h2>
<div class="chart" data-chart="pareto"></div>
<table><thead><tr><th>settings</th><th>cost</th><th>p95 wait</th><th>refused</th>${staged ? '<th>staged hit rate</th>' : ''}<th>Pareto</th></tr></thead><tbody>
${sweep.points
  .map(
    (point, index) =>
      `<tr><td>${escapeHtml(
        Object.entries(point.settings)
          .map(([key, value]) => `${key}=${value}`)
          .join(' '),
      )}</td><td>${money(point.cost)}</td><td>${formatSeconds(point.p95WaitSeconds)}</td><td>${point.refused}</td>${sweepHitRateCell(point, staged)}<td>${sweep.front.includes(index) ? '✓' : ''}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1200px; color: #1d232a; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
table { border-collapse: collapse; margin: 8px 0; } td, th { border-bottom: 1px solid #e2e6ea; padding: 4px 12px 4px 0; text-align: left; }
th { font-weight: 600; } .chart { width: 100%; height: 340px; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; } .note { color: #5b6670; font-size: 12px; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<table class="summary"><tbody>
${rows.map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${value}</td></tr>`).join('\n')}
</tbody></table>
<h2>Demand versus capacity</h2>
<div class="chart" data-chart="demand"></div>
<h2>Instances by state</h2>
<div class="chart" data-chart="instances"></div>
<h2>Sessions</h2>
<div class="grid"><div class="chart" data-chart="sessions"></div><div class="chart" data-chart="waits"></div></div>
<h2>Cost per day</h2>
<div class="chart" data-chart="cost"></div>
${renderStagingSection({ result, money })}
${sweepTable}
<p class="note">Timeline values are time-weighted means over ${formatSeconds(result.timeline.bucketSeconds)} buckets. The oracle is the fleet that holds exactly what running sessions need at every moment (no packing loss, no boot time), billed with the same increments and minimums.</p>
<script type="application/json" id="report-data">${escapeJsonForScript(JSON.stringify(data))}</script>
<script>${loadEchartsSource()}</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

function escapeJsonForScript(json: string): string {
  return json
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function formatInstant(atMs: number, timezone: string): string {
  return DateTime.fromMillis(atMs, { zone: timezone }).toFormat('yyyy-MM-dd HH:mm');
}

/** `45 s`, `12 min`, `3.5 h`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds * 10) / 10} s`;
  if (seconds < 7200) return `${Math.round((seconds / 60) * 10) / 10} min`;
  return `${Math.round((seconds / 3600) * 10) / 10} h`;
}

/** Floor, losses and the gap split as summary rows (none without them). */
function gapRows(result: SimulationResult, money: (value: number) => string): [string, string][] {
  const rows: [string, string][] = [];
  if (result.floor) {
    rows.push([
      'Floor (instant boots, no standby, no backoff)',
      `${money(result.floor.cost)}; policy loss ${result.policyLoss?.toFixed(2) ?? '–'} × (cost ÷ floor), packing loss ${result.packingLoss?.toFixed(2) ?? '–'} × (floor ÷ oracle)`,
    ]);
  }
  if (result.gap) {
    const gap = result.gap;
    rows.push(['Gap to the oracle', `${money(gap.total.cost)} (${gap.total.instanceHours.toFixed(1)} instance-hours)`]);
    for (const part of GAP_PARTS) {
      rows.push([
        `· ${GAP_LABELS[part]}`,
        `${money(gap[part].cost)} (${gap[part].instanceHours.toFixed(1)} instance-hours)`,
      ]);
    }
  }
  if (result.measureWindow) {
    rows.push([
      'Measured window',
      `${formatInstant(result.measureWindow.fromMs, result.timezone)} – ${formatInstant(result.measureWindow.toMs, result.timezone)}`,
    ]);
  }
  return rows;
}

const GAP_LABELS: Record<(typeof GAP_PARTS)[number], string> = {
  boot: 'boot time',
  standby: 'standby',
  backoff: 'downscale backoff',
  packing: 'packing loss (free room on agents holding sessions)',
  stranded: 'stranded (inactive configs holding sessions)',
};
