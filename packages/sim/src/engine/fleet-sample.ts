import type { ResultsRecorder } from '../results/results-recorder.js';
import type { FleetTotals } from './fleet-model.js';

/** Reports the fleet totals at `atMs` to the results recorder (the totals are copied). */
export function sampleFleet(recorder: ResultsRecorder, totals: FleetTotals, atMs: number): void {
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
  });
}
