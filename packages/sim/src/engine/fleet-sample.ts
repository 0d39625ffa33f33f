import { instanceShape } from '@headroom/core';
import type { WasteSample } from '../results/gap-split.js';
import type { ResultsRecorder } from '../results/results-recorder.js';
import type { FleetModel } from './fleet-model.js';
import type { AutoscaleRuntime } from './simulation-types.js';
import { splitIdle } from './waste-tally.js';

/**
 * Stranded instances of a config less what their sessions would fill (fluid, by the scarcest
 * resource): the free room they hold that no new session may use. Rounded to 1/1024 instance, so
 * that integrating it over integer milliseconds is exact whatever the sampling.
 */
function strandedWaste(runtime: AutoscaleRuntime): number {
  const counts = runtime.waste;
  if (counts.stranded === 0) return 0;
  if (runtime.pool.kind === 'server') return counts.stranded;
  const shape = instanceShape(runtime.entry.autoscale);
  let filled = 0;
  for (const key of ['cores', 'memoryMb', 'gpus'] as const) {
    if (shape[key] > 0) filled = Math.max(filled, counts.strandedUsed[key] / shape[key]);
  }
  return Math.round(Math.max(0, counts.stranded - filled) * 1024) / 1024;
}

/** Instances of each waste category now, with their hourly price, over every autoscale config. */
function sampleWaste(fleet: FleetModel): WasteSample {
  const sample: WasteSample = {
    levels: [],
    strandedInstances: 0,
    strandedCapacity: { cores: 0, memoryMb: 0, gpus: 0 },
    strandedUsed: { cores: 0, memoryMb: 0, gpus: 0 },
  };
  for (const runtime of fleet.runtimes) {
    const counts = runtime.waste;
    const price = runtime.pricePerInstanceHour;
    const idle = splitIdle(runtime);
    sample.levels.push({
      price,
      bootPrice: runtime.model.billing.bootTimeBilled ? price : 0,
      boot: counts.boot,
      standby: idle.standby,
      backoff: idle.backoff,
      stranded: strandedWaste(runtime),
    });
    sample.strandedInstances += counts.stranded;
    for (const key of ['cores', 'memoryMb', 'gpus'] as const) {
      sample.strandedCapacity[key] += counts.strandedCapacity[key];
      sample.strandedUsed[key] += counts.strandedUsed[key];
    }
  }
  return sample;
}

/** Reports the fleet totals and waste categories at `atMs` to the results recorder (copied). */
export function sampleFleet(recorder: ResultsRecorder, fleet: FleetModel, atMs: number): void {
  const { totals } = fleet;
  recorder.fleet({
    atMs,
    instancesByState: { ...totals.states },
    capacity: { ...totals.capacity },
    used: { ...totals.used },
    demand: {
      cores: totals.used.cores + totals.queued.cores,
      memoryMb: totals.used.memoryMb + totals.queued.memoryMb,
      gpus: totals.used.gpus + totals.queued.gpus,
    },
    sessionsRunning: totals.sessionsRunning,
    sessionsWaiting: totals.sessionsWaiting,
    idleInstances: totals.idleInstances,
    waste: sampleWaste(fleet),
  });
}
