import { type DemandGrowthProfile, learnDemandGrowthProfile, predictedStandbyAt, type Resources } from '@headroom/core';
import type { BootTimeDistribution } from '../cloud-model.js';
import type { TraceSession } from '../trace/trace-session.js';
import type { FleetModel } from './fleet-model.js';
import type { AutoscaleRuntime } from './simulation-types.js';

/** A config with predictive standby: its learnt profile and its static standby (the lower bound). */
export interface PredictiveStandby {
  runtime: AutoscaleRuntime;
  profile: DemandGrowthProfile;
  staticStandby: Resources;
}

/** The boot time a standby must cover by default: the distribution's p95 (fixed: its value; uniform: its maximum). */
function bootHorizonSeconds(distribution: BootTimeDistribution): number {
  if (distribution.kind === 'fixed') return distribution.seconds;
  if (distribution.kind === 'uniform') return distribution.maximumSeconds;
  return distribution.p95Seconds;
}

/**
 * Learns the profile of every docker-agent config with `predictiveStandby` from the trace sessions
 * of its pool: those that start before `learnUntilMs` when some do (the days before the
 * measurement window, so the measured days are predicted, not recalled), else the whole trace (a
 * warning says so). `learnFrom: history` (the service's own history) is refused here.
 */
export function createPredictiveStandbys(options: {
  fleet: FleetModel;
  sessions: readonly TraceSession[];
  defaultPool: string;
  learnUntilMs: number | undefined;
  warnings: string[];
}): PredictiveStandby[] {
  const result: PredictiveStandby[] = [];
  for (const runtime of options.fleet.runtimes) {
    const autoscale = runtime.entry.autoscale as {
      standby?: Resources;
      predictiveStandby?: { quantile: number; horizonSeconds?: number; confidenceFloor: number; learnFrom: string };
    };
    const settings = autoscale.predictiveStandby;
    if (!settings || runtime.pool.kind !== 'docker-agent') continue;
    const pool = runtime.pool.id;
    const all = options.sessions.filter((session) => (session.pool ?? options.defaultPool) === pool);
    const before =
      options.learnUntilMs === undefined ? [] : all.filter((session) => session.startMs < options.learnUntilMs!);
    const learnt = before.length > 0 ? before : all;
    if (before.length === 0) {
      options.warnings.push(
        `predictive standby of "${runtime.key}" learnt from the whole trace it replays (give --measure-from to learn from the days before)`,
      );
    }
    const fromMs = learnt[0]?.startMs ?? 0;
    const toMs =
      before.length > 0 ? options.learnUntilMs! : learnt.reduce((end, s) => Math.max(end, s.startMs), fromMs);
    const horizonSeconds = settings.horizonSeconds ?? bootHorizonSeconds(runtime.model.bootTime);
    result.push({
      runtime,
      staticStandby: { ...(autoscale.standby ?? { cores: 0, memoryMb: 0, gpus: 0 }) },
      profile: learnDemandGrowthProfile({
        sessions: learnt,
        fromMs,
        toMs,
        horizonMs: horizonSeconds * 1000,
        quantile: settings.quantile,
        confidenceFloor: settings.confidenceFloor,
      }),
    });
  }
  return result;
}

/**
 * Sets each predictive config's standby for the tick at `atMs` to the larger of its static
 * standby and the learnt growth of that hour (what the planner then keeps free); returns whether
 * any changed.
 */
export function applyPredictiveStandby(standbys: readonly PredictiveStandby[], atMs: number): boolean {
  let changed = false;
  for (const { runtime, profile, staticStandby } of standbys) {
    const predicted = predictedStandbyAt(profile, atMs);
    const standby = {
      cores: Math.max(staticStandby.cores, predicted?.cores ?? 0),
      memoryMb: Math.max(staticStandby.memoryMb, predicted?.memoryMb ?? 0),
      gpus: Math.max(staticStandby.gpus, predicted?.gpus ?? 0),
    };
    const autoscale = runtime.entry.autoscale as { standby: Resources };
    const current = autoscale.standby;
    if (current.cores !== standby.cores || current.memoryMb !== standby.memoryMb || current.gpus !== standby.gpus) {
      // The standby slots (and any other standby setting) stay as configured.
      autoscale.standby = { ...current, ...standby };
      changed = true;
    }
    runtime.predictedStandby = predicted;
  }
  return changed;
}
