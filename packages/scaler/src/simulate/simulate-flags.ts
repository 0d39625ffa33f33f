import type { TraceFormat, TraceOptions } from '@headroom/sim';
import { parseCommandArguments, requireFlag } from '../parse-command-arguments.js';
import { parseInstantFlag } from '../parse-instant.js';
import { UsageError } from '../usage-error.js';

/** The checked flags of `headroom simulate` (undefined: not given). */
export interface SimulateFlags {
  configPath: string;
  tracePath: string;
  format: TraceFormat | 'auto';
  timezone: string | undefined;
  placement: 'spread' | 'pack' | undefined;
  seed: number | undefined;
  tickSeconds: number | undefined;
  giveUpSeconds: number | undefined;
  timeShiftSeconds: number | undefined;
  targetP95WaitSeconds: number | undefined;
  targetHitRate: number | undefined;
  /** --target-hit-rate as given, for messages. */
  targetHitRateText: string | undefined;
  /** --max-refused as given; a percentage needs the trace's session count (`parseMaxRefused`). */
  maxRefusedText: string | undefined;
  scaleSizes: TraceOptions['scaleSizes'];
  fromMs: number | undefined;
  toMs: number | undefined;
  measureFromMs: number | undefined;
  measureToMs: number | undefined;
  withFloor: boolean;
  /** Single runs with predictive standby: search the cheapest static standby that waits as little. */
  withStaticComparison: boolean;
  sweeps: string[];
  json: boolean;
  reportPath: string | undefined;
}

function parseNumberFlag(
  value: string | undefined,
  flag: string,
  check: (number: number) => boolean,
  expected: string,
) {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || !check(number))
    throw new UsageError(`${flag} ${value}: expected ${expected}`);
  return number;
}

function parseScaleSizes(value: string | undefined): TraceOptions['scaleSizes'] {
  if (value === undefined) return undefined;
  const factor = (text: string, name: string) => {
    const number = Number(text);
    if (text.trim() === '' || !Number.isFinite(number) || number < 0)
      throw new UsageError(`--scale-sizes ${value}: ${name} must be a number ≥ 0`);
    return number;
  };
  if (!value.includes('=')) return factor(value, 'the factor');
  const factors: Partial<Record<'cores' | 'memoryMb' | 'gpus', number>> = {};
  for (const part of value.split(',')) {
    const [name = '', text = ''] = part.split('=').map((piece) => piece.trim());
    if (name !== 'cores' && name !== 'memoryMb' && name !== 'gpus')
      throw new UsageError(`--scale-sizes ${value}: unknown resource "${name}" (use cores, memoryMb, gpus)`);
    factors[name] = factor(text, name);
  }
  return factors;
}

/** --max-refused as a count: N, or P% of `totalSessions`. @throws UsageError on a bad value. */
export function parseMaxRefused(value: string | undefined, totalSessions: number): number | undefined {
  if (value === undefined) return undefined;
  const percent = value.endsWith('%');
  const number = Number(percent ? value.slice(0, -1) : value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || (percent && number > 100))
    throw new UsageError(`--max-refused ${value}: expected a count ≥ 0 or a percentage such as 0.5%`);
  return percent ? (number / 100) * totalSessions : number;
}

function isValidTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function parseSimulateArguments(argv: string[]) {
  return parseCommandArguments(
    argv,
    {
      config: { type: 'string' },
      trace: { type: 'string' },
      format: { type: 'string' },
      timezone: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'measure-from': { type: 'string' },
      'measure-to': { type: 'string' },
      'no-floor': { type: 'boolean' },
      'no-static-comparison': { type: 'boolean' },
      'scale-sizes': { type: 'string' },
      'time-shift': { type: 'string' },
      seed: { type: 'string' },
      'tick-seconds': { type: 'string' },
      placement: { type: 'string' },
      'give-up-seconds': { type: 'string' },
      sweep: { type: 'string', multiple: true },
      'target-p95-wait': { type: 'string' },
      'max-refused': { type: 'string' },
      'target-hit-rate': { type: 'string' },
      json: { type: 'boolean' },
      report: { type: 'string' },
    },
    'simulate',
  ).values;
}

/**
 * Parses and checks the flags of `headroom simulate` (before any file is read).
 * @throws UsageError naming the flag on a missing, malformed or inconsistent value.
 */
export function parseSimulateFlags(argv: string[]): SimulateFlags {
  const values = parseSimulateArguments(argv);
  const configPath = requireFlag(values.config, '--config', 'simulate');
  const tracePath = requireFlag(values.trace, '--trace', 'simulate');
  const format = values.format ?? 'auto';
  if (!['auto', 'csv', 'swf', 'azure'].includes(format))
    throw new UsageError(`--format ${format}: expected auto, csv, swf or azure`);
  if (values.timezone !== undefined && !isValidTimezone(values.timezone))
    throw new UsageError(`--timezone ${values.timezone}: unknown time zone (use an IANA name such as Europe/Berlin)`);
  if (values.placement !== undefined && values.placement !== 'spread' && values.placement !== 'pack')
    throw new UsageError(`--placement ${values.placement}: expected spread or pack`);
  const seed = parseNumberFlag(values.seed, '--seed', Number.isInteger, 'a whole number');
  const tickSeconds = parseNumberFlag(values['tick-seconds'], '--tick-seconds', (n) => n > 0, 'a number > 0');
  const giveUpSeconds = parseNumberFlag(values['give-up-seconds'], '--give-up-seconds', (n) => n > 0, 'a number > 0');
  const timeShiftSeconds = parseNumberFlag(values['time-shift'], '--time-shift', () => true, 'a number of seconds');
  const targetP95WaitSeconds = parseNumberFlag(
    values['target-p95-wait'],
    '--target-p95-wait',
    (n) => n >= 0,
    'a number of seconds ≥ 0',
  );
  const targetHitRate = parseNumberFlag(
    values['target-hit-rate'],
    '--target-hit-rate',
    (n) => n >= 0 && n <= 1,
    'a hit rate between 0 and 1 (0.9 = 90 %)',
  );
  const scaleSizes = parseScaleSizes(values['scale-sizes']);
  const window = parseWindows(values);
  const sweeps = values.sweep ?? [];
  if (
    sweeps.length === 0 &&
    (targetP95WaitSeconds !== undefined || values['max-refused'] !== undefined || targetHitRate !== undefined)
  )
    throw new UsageError(
      '--target-p95-wait, --max-refused and --target-hit-rate apply to sweeps: give at least one --sweep',
    );
  return {
    configPath,
    tracePath,
    format: format as TraceFormat | 'auto',
    timezone: values.timezone,
    placement: values.placement as 'spread' | 'pack' | undefined,
    seed,
    tickSeconds,
    giveUpSeconds,
    timeShiftSeconds,
    targetP95WaitSeconds,
    targetHitRate,
    targetHitRateText: values['target-hit-rate'],
    maxRefusedText: values['max-refused'],
    scaleSizes,
    ...window,
    withFloor: values['no-floor'] !== true,
    withStaticComparison: values['no-static-comparison'] !== true,
    sweeps,
    json: values.json === true,
    reportPath: values.report,
  };
}

/** --from/--to (the replay) and --measure-from/--measure-to (the measurement window). */
function parseWindows(
  values: Pick<ReturnType<typeof parseSimulateArguments>, 'from' | 'to' | 'measure-from' | 'measure-to'>,
): Pick<SimulateFlags, 'fromMs' | 'toMs' | 'measureFromMs' | 'measureToMs'> {
  const fromMs = values.from === undefined ? undefined : parseInstantFlag(values.from, '--from');
  const toMs = values.to === undefined ? undefined : parseInstantFlag(values.to, '--to');
  if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs)
    throw new UsageError(`--to ${values.to}: must be after --from ${values.from}`);
  const measureFromMs =
    values['measure-from'] === undefined ? undefined : parseInstantFlag(values['measure-from'], '--measure-from');
  const measureToMs =
    values['measure-to'] === undefined ? undefined : parseInstantFlag(values['measure-to'], '--measure-to');
  if (measureFromMs !== undefined && measureToMs !== undefined && measureToMs <= measureFromMs)
    throw new UsageError(
      `--measure-to ${values['measure-to']}: must be after --measure-from ${values['measure-from']}`,
    );
  return { fromMs, toMs, measureFromMs, measureToMs };
}
