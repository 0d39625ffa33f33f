import { DEFAULT_CLOUD_MODEL, floorCloud, floorConfig, type SimulationRun } from '@headroom/sim';
import type { TraceInput } from './load-trace.js';
import { runSweep } from './run-sweep.js';
import type { SimulationJob } from './sweep-messages.js';

/** Sweep keys the floor ignores (it zeroes standby and backoff), so every point shares one floor. */
export function sweepKeepsFloor(sweep: string): boolean {
  const key = sweep.slice(0, sweep.indexOf('=')).split(':').pop() ?? '';
  return (
    key.startsWith('standby') ||
    key === 'downscaleBackoffSeconds' ||
    key === 'minimumAvailableSessions' ||
    key.startsWith('predictiveStandby')
  );
}

/** Adds a floor run's result to a point's run (policy loss = cost / floor, packing loss = floor / oracle). */
function attachFloor(run: SimulationRun, floor: SimulationRun): SimulationRun {
  const { result } = run;
  result.floor = {
    cost: floor.result.cost,
    instanceHours: floor.result.instanceHours,
    p95WaitSeconds: floor.result.sessions.waitSeconds.p95,
  };
  if (floor.result.cost > 0) result.policyLoss = result.cost / floor.result.cost;
  if (result.oracle && result.oracle.cost > 0) result.packingLoss = floor.result.cost / result.oracle.cost;
  return run;
}

/**
 * Runs a sweep and its floor: one floor run shared by every point when only standby and backoff
 * are swept (`sharedFloor`), else each point runs its own floor. Without `floorJob`, no floor.
 */
export async function runSweepWithFloor(options: {
  jobs: SimulationJob[];
  floorJob: SimulationJob | undefined;
  sharedFloor: boolean;
  trace: TraceInput;
  onProgress?: (fraction: number) => void;
}): Promise<SimulationRun[]> {
  const { floorJob } = options;
  if (!floorJob) return runSweep({ jobs: options.jobs, trace: options.trace, ...progress(options) });
  if (!options.sharedFloor) {
    const jobs = options.jobs.map((job) => ({ ...job, floor: true }));
    return runSweep({ jobs, trace: options.trace, ...progress(options) });
  }
  const floorOnly: SimulationJob = {
    ...floorJob,
    config: floorConfig(floorJob.config),
    cloud: floorCloud(floorJob.cloud ?? DEFAULT_CLOUD_MODEL),
    label: 'floor',
  };
  const runs = await runSweep({ jobs: [...options.jobs, floorOnly], trace: options.trace, ...progress(options) });
  const floor = runs.pop()!;
  return runs.map((run) => attachFloor(run, floor));
}

function progress(options: { onProgress?: (fraction: number) => void }) {
  return options.onProgress ? { onProgress: options.onProgress } : {};
}
