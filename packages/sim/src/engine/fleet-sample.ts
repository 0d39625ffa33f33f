import type { WasteSample } from '../results/gap-split.js';
import type { ResultsRecorder } from '../results/results-recorder.js';
import type { FleetModel } from './fleet-model.js';
import { splitIdle } from './waste-tally.js';

/** Instances of each waste category now, with their hourly price, over every autoscale config. */
function sampleWaste(fleet: FleetModel): WasteSample {
  const sample: WasteSample = {
    levels: [],
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
      stranded: counts.stranded,
    });
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
