import { writeFile } from 'node:fs/promises';
import { ConfigError, type HeadroomConfig } from '@headroom/core';
import {
  paretoFront,
  recommendSweepPoint,
  renderReport,
  type SessionTrace,
  type SimulationRun,
  type SweepPoint,
  simulate,
  stagedHitRate,
  TraceError,
} from '@headroom/sim';
import type { Command } from '../command.js';
import { loadConfigFile } from '../load-config-file.js';
import { formatPercent, formatSettings, formatSummary, formatSweepTable } from '../simulate/format-summary.js';
import { loadTrace, type TraceInput } from '../simulate/load-trace.js';
import { createProgressBar } from '../simulate/progress-bar.js';
import { SweepError } from '../simulate/run-sweep.js';
import { parseMaxRefused, parseSimulateFlags, type SimulateFlags } from '../simulate/simulate-flags.js';
import { parseSimulationSettings, type SimulationSettings } from '../simulate/simulation-config-schema.js';
import {
  compareWithStatic,
  formatStaticComparison,
  hasPredictiveStandby,
  type StaticComparison,
  staticComparisonNote,
} from '../simulate/static-comparison.js';
import { runSweepWithFloor, sweepKeepsFloor } from '../simulate/sweep-floor.js';
import { buildSweepGrid, type SweepGridPoint } from '../simulate/sweep-grid.js';
import type { SimulationJob } from '../simulate/sweep-messages.js';
import { UsageError } from '../usage-error.js';

const usage = [
  'headroom simulate --config FILE --trace FILE [--format auto|csv|swf|azure] [--timezone ZONE]',
  '    [--from ISO] [--to ISO] [--scale-sizes X|cores=X,memoryMb=Y,gpus=Z] [--time-shift SECONDS]',
  '    [--seed N] [--tick-seconds N] [--placement spread|pack] [--give-up-seconds N]',
  '    [--measure-from ISO] [--measure-to ISO] [--no-floor] [--no-static-comparison]',
  '    [--sweep KEY=V1,V2,... ...] [--target-p95-wait SECONDS] [--max-refused N|P%] [--target-hit-rate R]',
  '    [--json] [--report FILE]',
  '',
  'Replays the trace through the planner against the cloud model of the config\'s "simulation:" section.',
  '--sweep KEY=... sets KEY in every autoscale config of the docker-agent pools (AUTOSCALE:KEY or',
  'POOL/AUTOSCALE:KEY for one; staging.ID.desiredSessions for a staging config), runs the grid in worker',
  'threads and recommends the cheapest point meeting --target-p95-wait, --max-refused and --target-hit-rate',
  '(staged hit rate over all staging configs, 0..1). --measure-from/--measure-to count cost, waits, the oracle',
  'and the floor (instant boots, no standby, no backoff; a second run, --no-floor skips it) over that window.',
  'A single run with predictiveStandby also searches the cheapest static standby (whole agents) that waits',
  'no longer and refuses no more (--no-static-comparison skips it).',
].join('\n');

function traceErrorAsUsage(error: unknown): never {
  if (TraceError.isInstance(error)) throw new UsageError(error.message);
  throw error;
}

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'replay a session trace through the planner and report cost and waits (or sweep settings)',
  usage,
  flags: {
    config: { value: 'FILE', description: 'the YAML config, with its simulation: section' },
    trace: { value: 'FILE', description: 'session trace (CSV, SWF or Azure; .gz read as gzip)' },
    format: { value: 'FORMAT', description: 'auto, csv, swf or azure (default auto, from the file)' },
    timezone: { value: 'ZONE', description: 'IANA zone of trace times without an offset' },
    from: { value: 'ISO', description: 'replay from this instant' },
    to: { value: 'ISO', description: 'replay until this instant' },
    'scale-sizes': { value: 'X', description: 'multiply session sizes (X, or cores=X,memoryMb=Y,gpus=Z)' },
    'time-shift': { value: 'SECONDS', description: 'shift every trace time by this much' },
    seed: { value: 'N', description: 'random seed' },
    'tick-seconds': { value: 'N', description: 'seconds between planner passes' },
    placement: { value: 'MODE', description: 'spread or pack sessions over instances' },
    'give-up-seconds': { value: 'N', description: 'a queued request is refused after this wait' },
    'measure-from': { value: 'ISO', description: 'count cost, waits and references from this instant' },
    'measure-to': { value: 'ISO', description: 'count cost, waits and references until this instant' },
    'no-floor': { description: 'skip the floor run (instant boots, no standby, no backoff)' },
    'no-static-comparison': { description: 'skip the search for the best static standby (predictive configs)' },
    sweep: { value: 'KEY=V1,V2', description: 'sweep an autoscale setting over values (repeatable)' },
    'target-p95-wait': { value: 'SECONDS', description: 'sweep goal: p95 wait at most this' },
    'max-refused': { value: 'N|P%', description: 'sweep goal: refused requests at most this' },
    'target-hit-rate': { value: 'R', description: 'sweep goal: staged hit rate at least this (0..1)' },
    json: { description: 'JSON output' },
    report: { value: 'FILE', description: 'write an HTML report' },
  },
  async run({ argv, stdout, stderr }) {
    const flags = parseSimulateFlags(argv);
    const inputs = await loadSimulationInputs(flags);
    const context = {
      trace: inputs.trace,
      tracePath: flags.tracePath,
      configPath: flags.configPath,
      settings: inputs.settings,
      stdout,
      stderr,
      json: flags.json,
      reportPath: flags.reportPath,
    };
    try {
      if (!inputs.grid) return await runSingle(flags, inputs, context);
      return await runSweep(flags, { ...inputs, grid: inputs.grid }, context);
    } catch (error) {
      if (error instanceof SweepError) throw new UsageError(error.message);
      if (ConfigError.isInstance(error) || TraceError.isInstance(error)) throw new UsageError(error.message);
      throw error;
    }
  },
};

/** The config, its simulation settings, the sweep grid (if any) and the loaded trace. */
interface SimulationInputs {
  config: HeadroomConfig;
  settings: SimulationSettings;
  grid: SweepGridPoint[] | undefined;
  traceInput: TraceInput;
  trace: SessionTrace;
  maxRefused: number | undefined;
}

/** Reads the config and the trace named by the flags. @throws UsageError on an empty trace or bad goal. */
async function loadSimulationInputs(flags: SimulateFlags): Promise<SimulationInputs> {
  const { configPath, tracePath, fromMs, toMs, sweeps } = flags;
  const config = await loadConfigFile(configPath);
  const settings = parseSimulationSettings(config, { source: configPath });
  if (flags.targetHitRate !== undefined && config.staging.length === 0)
    throw new UsageError(`--target-hit-rate ${flags.targetHitRateText}: ${configPath} has no staging configs`);
  const grid = sweeps.length > 0 ? buildSweepGrid({ config, sweeps }) : undefined;
  const traceInput: TraceInput = {
    path: tracePath,
    format: flags.format,
    options: {
      ...(flags.timezone !== undefined ? { timezone: flags.timezone } : {}),
      ...(fromMs !== undefined ? { fromMs } : {}),
      ...(toMs !== undefined ? { toMs } : {}),
      ...(flags.timeShiftSeconds !== undefined ? { timeShiftSeconds: flags.timeShiftSeconds } : {}),
      ...(flags.scaleSizes !== undefined ? { scaleSizes: flags.scaleSizes } : {}),
    },
  };
  const trace = await loadTrace(traceInput).catch(traceErrorAsUsage);
  if (trace.sessions.length === 0)
    throw new UsageError(
      `--trace ${tracePath}: no sessions${fromMs !== undefined || toMs !== undefined ? ' between --from and --to' : ''}`,
    );
  const maxRefused = parseMaxRefused(flags.maxRefusedText, trace.sessions.length);
  return { config, settings, grid, traceInput, trace, maxRefused };
}

/** One simulation job: the flags override the config's simulation settings. */
function simulationJob(
  flags: SimulateFlags,
  settings: SimulationSettings,
  jobConfig: HeadroomConfig,
  label?: string,
): SimulationJob {
  const { measureFromMs, measureToMs } = flags;
  return {
    config: jobConfig,
    cloud: settings.cloud,
    seed: flags.seed ?? settings.seed,
    tickSeconds: flags.tickSeconds ?? settings.tickSeconds,
    placement: flags.placement ?? settings.placement,
    giveUpSeconds: flags.giveUpSeconds ?? settings.giveUpSeconds,
    engine: settings.engine,
    ...(settings.arrivalZones !== undefined ? { arrivalZones: settings.arrivalZones } : {}),
    ...(flags.timezone !== undefined ? { timezone: flags.timezone } : {}),
    ...(label !== undefined ? { label } : {}),
    ...(measureFromMs !== undefined ? { measureFromMs } : {}),
    ...(measureToMs !== undefined ? { measureToMs } : {}),
  };
}

async function runSingle(flags: SimulateFlags, inputs: SimulationInputs, context: ReportContext): Promise<number> {
  const progress = createProgressBar({ stream: context.stderr, label: 'simulating' });
  const job = simulationJob(flags, inputs.settings, inputs.config);
  let run: SimulationRun;
  try {
    run = await simulate({
      ...job,
      floor: flags.withFloor,
      trace: inputs.trace,
      onProgress: ({ fraction }) => progress.update(fraction),
    });
  } finally {
    progress.finish();
  }
  const comparison =
    flags.withStaticComparison && hasPredictiveStandby(inputs.config)
      ? await runStaticComparison({ job, trace: inputs.trace, run, stderr: context.stderr })
      : undefined;
  return await reportRun({ ...context, run, comparison });
}

/** The best static standby for the predictive run, with a progress line per static run. */
async function runStaticComparison(options: {
  job: SimulationJob;
  trace: SessionTrace;
  run: SimulationRun;
  stderr: NodeJS.WritableStream;
}): Promise<StaticComparison> {
  const progress = createProgressBar({ stream: options.stderr, label: 'searching the best static standby' });
  try {
    // About 2·log2(agents) runs; the bar shows a run done out of the ~16 a 512-agent search may take.
    return await compareWithStatic({
      job: options.job,
      trace: options.trace,
      predictive: options.run,
      onProgress: (runs) => progress.update(Math.min(0.99, runs / 16)),
    });
  } finally {
    progress.finish();
  }
}

async function runSweep(
  flags: SimulateFlags,
  inputs: SimulationInputs & { grid: SweepGridPoint[] },
  context: ReportContext,
): Promise<number> {
  const { grid, settings, config } = inputs;
  const progress = createProgressBar({ stream: context.stderr, label: `sweeping ${grid.length} points` });
  let runs: SimulationRun[];
  try {
    runs = await runSweepWithFloor({
      jobs: grid.map((point) => simulationJob(flags, settings, point.config, formatSettings(point.settings))),
      floorJob: flags.withFloor ? simulationJob(flags, settings, config) : undefined,
      sharedFloor: flags.sweeps.every(sweepKeepsFloor),
      trace: inputs.traceInput,
      onProgress: (fraction) => progress.update(fraction),
    });
  } finally {
    progress.finish();
  }
  return await reportSweep({
    ...context,
    grid: grid.map((point, index) => ({ settings: point.settings, run: runs[index]! })),
    targetP95WaitSeconds: flags.targetP95WaitSeconds,
    maxRefused: inputs.maxRefused,
    targetHitRate: flags.targetHitRate,
    maxRefusedText: flags.maxRefusedText,
  });
}

interface ReportContext {
  trace: SessionTrace;
  tracePath: string;
  configPath: string;
  settings: SimulationSettings;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  json: boolean;
  reportPath: string | undefined;
}

function writeWarnings(context: ReportContext, warnings: readonly string[]): void {
  for (const autoscaleId of context.settings.unpricedAutoscaleIds)
    context.stderr.write(
      `headroom simulate: warning: no simulation.pricePerInstanceHour for autoscale config "${autoscaleId}"; its cost counts as 0\n`,
    );
  for (const warning of new Set(warnings)) context.stderr.write(`headroom simulate: warning: ${warning}\n`);
}

function traceLine(context: ReportContext): string {
  const skipped = Object.values(context.trace.skipped).reduce((sum, count) => sum + count, 0);
  return `${context.tracePath}: ${context.trace.sessions.length} sessions${skipped > 0 ? ` (${skipped} rows skipped)` : ''}; config ${context.configPath}`;
}

async function writeReport(path: string, html: string): Promise<void> {
  try {
    await writeFile(path, html);
  } catch (error) {
    throw new UsageError(`--report ${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

async function reportRun(
  context: ReportContext & { run: SimulationRun; comparison: StaticComparison | undefined },
): Promise<number> {
  const { run, settings, comparison } = context;
  writeWarnings(context, run.warnings);
  if (context.reportPath !== undefined)
    await writeReport(
      context.reportPath,
      renderReport({
        result: run.result,
        currency: settings.currency,
        ...(comparison ? { notes: [staticComparisonNote(comparison, settings.currency)] } : {}),
      }),
    );
  if (context.json) {
    context.stdout.write(`${JSON.stringify(comparison ? { ...run, staticComparison: comparison } : run)}\n`);
  } else {
    const comparisonText = comparison ? `\n${formatStaticComparison(comparison, settings.currency)}` : '';
    context.stdout.write(
      `${traceLine(context)}\n\n${formatSummary({ result: run.result, currency: settings.currency })}${comparisonText}`,
    );
  }
  if (context.reportPath !== undefined)
    (context.json ? context.stderr : context.stdout).write(`report: ${context.reportPath}\n`);
  return 0;
}

const hitRateText = (hitRate: number | undefined) =>
  hitRate === undefined ? '' : `, staged hit rate ${formatPercent(hitRate)}`;

async function reportSweep(
  context: ReportContext & {
    grid: { settings: SweepPoint['settings']; run: SimulationRun }[];
    targetP95WaitSeconds: number | undefined;
    maxRefused: number | undefined;
    targetHitRate: number | undefined;
    maxRefusedText: string | undefined;
  },
): Promise<number> {
  const { settings } = context;
  const points = context.grid.map((point) => {
    const hitRate = stagedHitRate(point.run.result);
    return {
      settings: point.settings,
      cost: point.run.result.cost,
      p95WaitSeconds: point.run.result.sessions.waitSeconds.p95,
      refused: point.run.result.sessions.refused,
      ...(hitRate !== undefined ? { hitRate } : {}),
      result: point.run.result,
    };
  });
  const front = paretoFront(points);
  const recommendedPoint = recommendSweepPoint({
    points,
    ...(context.targetP95WaitSeconds !== undefined ? { targetP95WaitSeconds: context.targetP95WaitSeconds } : {}),
    ...(context.maxRefused !== undefined ? { maxRefused: context.maxRefused } : {}),
    ...(context.targetHitRate !== undefined ? { targetHitRate: context.targetHitRate } : {}),
  });
  const recommended =
    recommendedPoint === undefined ? undefined : points.indexOf(recommendedPoint as (typeof points)[number]);
  writeWarnings(
    context,
    context.grid.flatMap((point) => point.run.warnings),
  );
  const shown = context.grid[recommended ?? front[0] ?? 0]!;
  if (context.reportPath !== undefined)
    await writeReport(
      context.reportPath,
      renderReport({
        result: shown.run.result,
        sweep: points.map(({ result: _result, ...point }) => point),
        currency: settings.currency,
        title: `Headroom sweep (${recommended === undefined ? 'cheapest Pareto point' : 'recommended'}: ${formatSettings(shown.settings)})`,
      }),
    );
  if (context.json) {
    context.stdout.write(
      `${JSON.stringify({
        points: context.grid.map((point, index) => ({
          settings: point.settings,
          ...(points[index]!.hitRate !== undefined ? { hitRate: points[index]!.hitRate } : {}),
          ...point.run,
        })),
        paretoFront: front,
        recommended: recommended ?? null,
      })}\n`,
    );
  } else {
    const limits = [
      context.targetP95WaitSeconds !== undefined ? `p95 wait ≤ ${context.targetP95WaitSeconds} s` : undefined,
      context.maxRefusedText !== undefined ? `refused ≤ ${context.maxRefusedText}` : undefined,
      context.targetHitRate !== undefined ? `hit rate ≥ ${formatPercent(context.targetHitRate)}` : undefined,
    ].filter((limit) => limit !== undefined);
    const lines = [
      traceLine(context),
      '',
      formatSweepTable({
        points,
        front,
        currency: settings.currency,
        ...(recommended !== undefined ? { recommended } : {}),
      }),
      `Pareto front (cost versus p95 wait): ${front.map((index) => `#${index + 1}`).join(', ')}`,
      recommended === undefined
        ? `No setting meets ${limits.join(' and ')}.`
        : `Recommended: #${recommended + 1} ${formatSettings(points[recommended]!.settings)}: ${points[recommended]!.cost.toFixed(2)} ${settings.currency}, p95 wait ${points[recommended]!.p95WaitSeconds.toFixed(1)} s, ${points[recommended]!.refused} refused${hitRateText(points[recommended]!.hitRate)}${limits.length > 0 ? ` (cheapest meeting ${limits.join(' and ')})` : ' (cheapest point; give --target-p95-wait, --max-refused or --target-hit-rate to set limits)'}`,
      '',
    ];
    context.stdout.write(lines.join('\n'));
  }
  if (context.reportPath !== undefined)
    (context.json ? context.stderr : context.stdout).write(`report: ${context.reportPath}\n`);
  return 0;
}
