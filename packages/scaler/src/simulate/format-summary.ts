import { formatSeconds, GAP_PARTS, type SimulationResult, type SweepPoint } from '@headroom/sim';
import { formatTable } from '../format-table.js';

const formatMoney = (value: number, currency: string) => `${value.toFixed(2)} ${currency}`;
const formatHours = (value: number) => value.toFixed(1);
/** `0.875` → `87.5 %`. */
export const formatPercent = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;

function formatInstant(ms: number, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const part = (type: string) => parts.find((entry) => entry.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/** Floor and gap split rows of the summary (empty without an oracle). */
function gapRows(result: SimulationResult, currency: string): [string, string][] {
  const rows: [string, string][] = [];
  if (result.floor) {
    rows.push([
      'floor',
      `${formatMoney(result.floor.cost, currency)} (instant boots, no standby, no backoff; p95 wait ${formatSeconds(result.floor.p95WaitSeconds)}); policy loss ${result.policyLoss?.toFixed(2) ?? '–'} × (cost ÷ floor), packing loss ${result.packingLoss?.toFixed(2) ?? '–'} × (floor ÷ oracle)`,
    ]);
  }
  const gap = result.gap;
  if (gap) {
    rows.push([
      'gap to oracle',
      `${formatMoney(gap.total.cost, currency)} (${formatHours(gap.total.instanceHours)} instance-hours) = ${GAP_PARTS.map((part) => `${part} ${formatMoney(gap[part].cost, currency)} (${formatHours(gap[part].instanceHours)} h)`).join(' + ')}`,
    ]);
  }
  if (result.measureWindow) {
    rows.push([
      'measured',
      `${formatInstant(result.measureWindow.fromMs, result.timezone)} – ${formatInstant(result.measureWindow.toMs, result.timezone)} (cost, waits, sessions, oracle and floor count this window only)`,
    ]);
  }
  return rows;
}

/** The staged hit rate, one row per staging config and one per requesting zone (none without staging). */
function stagingRows(result: SimulationResult, currency: string): [string, string][] {
  const staging = result.staging ?? [];
  if (staging.length === 0) return [];
  const cost = staging.reduce((sum, entry) => sum + entry.cost, 0);
  return [
    [
      'staged hit rate',
      `${result.stagedHitRate === undefined ? '–' : formatPercent(result.stagedHitRate)} over ${staging.length} staging config(s); staged sessions cost ${formatMoney(cost, currency)}`,
    ],
    ...staging.map((entry): [string, string] => [
      `staging ${entry.staging}`,
      `hit rate ${formatPercent(entry.hitRate)} (${entry.hits} hits${entry.alternateZoneHits > 0 ? ` (${entry.alternateZoneHits} to other zones)` : ''}, ${entry.misses} misses; ${entry.workspace} in zone ${entry.zone}, desiredSessions ${entry.desiredSessions}); ${entry.staged} staged, ${entry.expired} expired, ${entry.removed} removed; held ${formatHours(entry.heldSessionHours)} session-hours costing ${formatMoney(entry.cost, currency)}`,
    ]),
    ...(result.stagingZones ?? []).map((zone): [string, string] => [
      `staging zone ${zone.zone}`,
      `hit rate ${formatPercent(zone.hitRate)} (${zone.hits} hits, ${zone.alternateZoneHits} from alternate zones, ${zone.misses} misses)`,
    ]),
  ];
}

/** The terminal summary of one run: one labelled line per measure. */
export function formatSummary(options: { result: SimulationResult; currency: string }): string {
  const { result, currency } = options;
  const wait = result.sessions.waitSeconds;
  const sessions = result.sessions;
  const days = (result.endMs - result.startMs) / 86_400_000;
  const rows: [string, string][] = [
    [
      'period',
      `${formatInstant(result.startMs, result.timezone)} – ${formatInstant(result.endMs, result.timezone)} ${result.timezone} (${days.toFixed(1)} days)`,
    ],
    ['cost', formatMoney(result.cost, currency)],
    [
      'oracle lower bound',
      result.oracle
        ? `${formatMoney(result.oracle.cost, currency)} (${formatHours(result.oracle.instanceHours)} instance-hours, peak ${result.oracle.peakInstances}); cost ratio ${result.costRatio === undefined ? '–' : `${result.costRatio.toFixed(2)} ×`}`
        : '–',
    ],
    ['instance-hours', `${formatHours(result.instanceHours)} (billed ${formatHours(result.billedInstanceHours)})`],
    ['instances', `peak ${result.peakInstances}, mean ${result.meanInstances.toFixed(2)}`],
    [
      'sessions',
      `${sessions.total} total, ${sessions.served} served, ${sessions.waited} waited, ${sessions.refused} refused${sessions.gaveUp > 0 ? ` (${sessions.gaveUp} gave up)` : ''}; peak ${sessions.peakConcurrent} at once`,
    ],
    [
      'wait',
      `p50 ${formatSeconds(wait.p50)}, p95 ${formatSeconds(wait.p95)}, p99 ${formatSeconds(wait.p99)}, max ${formatSeconds(wait.max)} (mean ${formatSeconds(wait.mean)})`,
    ],
    ...gapRows(result, currency),
    [
      'idle capacity',
      `${formatHours(result.idleInstanceHours)} idle instance-hours, ${formatHours(result.strandedInstanceHours)} stranded (inactive configs holding sessions); unused ${formatHours(result.unusedCapacityHours.cores)} core-hours, ${formatHours(result.unusedCapacityHours.memoryMb / 1024)} GiB-hours${result.unusedCapacityHours.gpus > 0 ? `, ${formatHours(result.unusedCapacityHours.gpus)} GPU-hours` : ''}`,
    ],
    [
      'scaling',
      `${result.scaleUps} scale-ups, ${result.scaleDowns} scale-downs, ${result.thrash} thrash (destroyed younger than the backoff)`,
    ],
    ['failures', `${result.bootFailures} boot failures, ${result.checkinTimeouts} check-in timeouts`],
    ...(result.imagePulls
      ? [
          [
            'image pulls',
            `${result.imagePulls.pulls} pulls (mean ${formatSeconds(result.imagePulls.meanPullSeconds)}); agents waited ${result.imagePulls.waitingInstanceHours.toFixed(2)} agent-hours, ${result.imagePulls.waitingCoreHours.toFixed(2)} core-hours (${formatMoney(result.imagePulls.waitingCost, currency)}); ${result.imagePulls.sessionsWaited} sessions waited on a pull`,
          ] as [string, string],
        ]
      : []),
    ...stagingRows(result, currency),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return `${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}\n`;
}

const formatSetting = (value: number | string | boolean) => String(value);

/** The cost-versus-wait table of a sweep, with Pareto-front and recommendation markers. */
export function formatSweepTable(options: {
  points: readonly (SweepPoint & { result: SimulationResult })[];
  front: readonly number[];
  recommended?: number;
  currency: string;
}): string {
  const keys = Object.keys(options.points[0]?.settings ?? {});
  const front = new Set(options.front);
  const staged = options.points.some((point) => point.hitRate !== undefined);
  return formatTable(
    [
      '#',
      ...keys,
      `cost (${options.currency})`,
      'ratio',
      'instance-hours',
      'p50 wait',
      'p95 wait',
      'refused',
      ...(staged ? ['hit rate'] : []),
      'pareto',
    ],
    options.points.map((point, index) => [
      String(index + 1),
      ...keys.map((key) => formatSetting(point.settings[key]!)),
      point.cost.toFixed(2),
      point.result.costRatio === undefined ? '–' : point.result.costRatio.toFixed(2),
      formatHours(point.result.instanceHours),
      formatSeconds(point.result.sessions.waitSeconds.p50),
      formatSeconds(point.p95WaitSeconds),
      String(point.refused),
      ...(staged ? [point.hitRate === undefined ? '–' : formatPercent(point.hitRate)] : []),
      `${front.has(index) ? '*' : ''}${options.recommended === index ? ' recommended' : ''}`.trim(),
    ]),
  );
}

/** `standby.cores=8, downscaleBackoffSeconds=300`. */
export function formatSettings(settings: Record<string, number | string | boolean>): string {
  return Object.entries(settings)
    .map(([key, value]) => `${key}=${formatSetting(value)}`)
    .join(', ');
}
