import { autoscaleKey, type DemandGrowthProfile, type FleetSnapshot, learnDemandGrowthProfile } from '@headroom/core';
import type { BootTimeDistribution } from '../cloud-model.js';
import type { TraceSession } from '../trace/trace-session.js';
import type { FleetModel } from './fleet-model.js';
import {
  createOnlineDemandLearner,
  type OnlineDemandLearner,
  type OnlineLearningConfig,
} from './online-demand-learner.js';
import type { AutoscaleRuntime } from './simulation-types.js';

/** The `predictiveStandby` settings of a docker-agent config, as parsed. */
interface PredictiveSettings {
  quantile: number;
  horizonSeconds?: number;
  confidenceFloor: number;
  learnFrom: 'trace' | 'history';
  historyDays: number;
}

/**
 * Where the simulation's demand profiles come from (planner input `demandProfiles`, by
 * `autoscaleKey`): learnt once from the trace (`learnFrom: trace`) and online from the demand the
 * simulation observes (`learnFrom: history`, planner engine only).
 */
export interface DemandProfileSource {
  /** Configs with predictive standby (either source). */
  configCount: number;
  /** Profiles learnt from the trace before the run. */
  traceProfiles: Readonly<Record<string, DemandGrowthProfile>>;
  /** The online learner of `learnFrom: history` configs; undefined when there are none (or the engine learns via its store). */
  history: OnlineDemandLearner | undefined;
}

/** The boot time a standby must cover by default: the distribution's p95 (fixed: its value; uniform: its maximum). */
export function bootHorizonSeconds(distribution: BootTimeDistribution): number {
  if (distribution.kind === 'fixed') return distribution.seconds;
  if (distribution.kind === 'uniform') return distribution.maximumSeconds;
  return distribution.p95Seconds;
}

/**
 * The growth horizon of a config: its `horizonSeconds`, else how long a session that finds no room
 * can wait for a new instance: one tick until the planner sees it, the boot (p95) and, when the
 * config requires a check-in, the check-in delay (p95).
 */
export function horizonMsOf(runtime: AutoscaleRuntime, settings: { horizonSeconds?: number }, tickMs: number): number {
  if (settings.horizonSeconds !== undefined) return settings.horizonSeconds * 1000;
  const checkinSeconds = runtime.requireCheckin ? bootHorizonSeconds(runtime.model.checkinDelay) : 0;
  return tickMs + (bootHorizonSeconds(runtime.model.bootTime) + checkinSeconds) * 1000;
}

/**
 * Learns a config's profile from the trace sessions of its pool: those that start before
 * `learnUntilMs` when some do (the days before the measurement window, so the measured days are
 * predicted, not recalled), else the whole trace (a warning says so).
 */
function learnFromTrace(options: {
  runtime: AutoscaleRuntime;
  settings: PredictiveSettings;
  sessions: readonly TraceSession[];
  defaultPool: string;
  learnUntilMs: number | undefined;
  tickMs: number;
  warnings: string[];
}): DemandGrowthProfile {
  const { runtime, settings, learnUntilMs } = options;
  const all = options.sessions.filter((session) => (session.pool ?? options.defaultPool) === runtime.pool.id);
  const before = learnUntilMs === undefined ? [] : all.filter((session) => session.startMs < learnUntilMs);
  const learnt = before.length > 0 ? before : all;
  if (before.length === 0) {
    options.warnings.push(
      `predictive standby of "${runtime.key}" learnt from the whole trace it replays (give --measure-from to learn from the days before)`,
    );
  }
  const fromMs = learnt[0]?.startMs ?? 0;
  const toMs =
    before.length > 0 && learnUntilMs !== undefined
      ? learnUntilMs
      : learnt.reduce((end, session) => Math.max(end, session.startMs), fromMs);
  return learnDemandGrowthProfile({
    sessions: learnt,
    fromMs,
    toMs,
    horizonMs: horizonMsOf(runtime, settings, options.tickMs),
    quantile: settings.quantile,
    confidenceFloor: settings.confidenceFloor,
  });
}

/**
 * The demand profiles of every docker-agent config with `predictiveStandby`. `learnFrom: trace`
 * is learnt here from the trace; `learnFrom: history` learns online in the simulator with the
 * `planner` engine, and in the `reconciler` engine through the autoscaler's own `learn-demand`
 * step against the simulator's store.
 */
export function createDemandProfileSource(options: {
  fleet: FleetModel;
  sessions: readonly TraceSession[];
  defaultPool: string;
  learnUntilMs: number | undefined;
  /** Tick interval: part of the default horizon. */
  tickMs: number;
  engine: 'planner' | 'reconciler';
  warnings: string[];
}): DemandProfileSource {
  const traceProfiles: Record<string, DemandGrowthProfile> = {};
  const historyConfigs: OnlineLearningConfig[] = [];
  let configCount = 0;
  for (const runtime of options.fleet.runtimes) {
    const settings = (runtime.entry.autoscale as { predictiveStandby?: PredictiveSettings }).predictiveStandby;
    if (!settings || runtime.pool.kind !== 'docker-agent') continue;
    configCount++;
    const key = autoscaleKey(runtime.pool.id, runtime.entry.autoscale.id);
    if (settings.learnFrom === 'trace') {
      traceProfiles[key] = learnFromTrace({ ...options, runtime, settings });
    } else if (options.engine === 'planner') {
      historyConfigs.push({
        key,
        pool: runtime.pool.id,
        ...settings,
        horizonMs: horizonMsOf(runtime, settings, options.tickMs),
      });
    }
    // The reconciler engine learns `history` configs itself: its `learn-demand` step samples into
    // the simulator's store and learns from it, as the service does.
  }
  const history = historyConfigs.length > 0 ? createOnlineDemandLearner({ configs: historyConfigs }) : undefined;
  return { configCount, traceProfiles, history };
}

/**
 * The profiles the planner gets for the tick at `atMs`: the trace's, and the online learner's
 * once it has seen `snapshot` (it samples and relearns on its own clock).
 */
export function demandProfilesAt(
  source: DemandProfileSource,
  snapshot: FleetSnapshot,
  atMs: number,
): Readonly<Record<string, DemandGrowthProfile>> {
  if (!source.history) return source.traceProfiles;
  source.history.observe(snapshot, atMs);
  return { ...source.traceProfiles, ...source.history.profiles() };
}
