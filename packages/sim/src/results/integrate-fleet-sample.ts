import { INSTANCE_STATES } from '@headroom/core';
import { accumulateWaste } from './gap-split.js';
import type { FleetSample } from './results-recorder.js';
import { addToBuckets, measuredMs, type RecorderState } from './results-recorder-state.js';

/**
 * Adds `sample`, which held from `sample.atMs` until `untilMs`, to the timeline buckets and (within
 * the measurement window) to the fleet, idle, unused-capacity and waste totals.
 */
export function integrateFleetSample(state: RecorderState, sample: FleetSample, untilMs: number): void {
  const duration = untilMs - sample.atMs;
  if (duration <= 0) return;
  let instances = 0;
  for (const instanceState of INSTANCE_STATES) {
    const value = sample.instancesByState[instanceState] ?? 0;
    instances += value;
    addToBuckets(state, state.buckets[instanceState], sample.atMs, untilMs, value);
  }
  addToTotals(state, sample, instances, measuredMs(state, sample.atMs, untilMs));
  addDemandAndCapacityToBuckets(state, sample, untilMs);
}

function addToTotals(state: RecorderState, sample: FleetSample, instances: number, counted: number): void {
  const { totals } = state;
  totals.fleetInstanceMs += instances * counted;
  totals.idleInstanceMs += sample.idleInstances * counted;
  const stranded = sample.waste?.strandedCapacity;
  totals.unusedCoresMs += Math.max(0, sample.capacity.cores + (stranded?.cores ?? 0) - sample.used.cores) * counted;
  totals.unusedMemoryMbMs +=
    Math.max(0, sample.capacity.memoryMb + (stranded?.memoryMb ?? 0) - sample.used.memoryMb) * counted;
  totals.unusedGpusMs += Math.max(0, sample.capacity.gpus + (stranded?.gpus ?? 0) - sample.used.gpus) * counted;
  if (sample.waste) {
    accumulateWaste(state.waste, sample.waste, counted);
    totals.strandedInstanceMs += sample.waste.strandedInstances * counted;
  }
}

function addDemandAndCapacityToBuckets(state: RecorderState, sample: FleetSample, untilMs: number): void {
  const { buckets } = state;
  const add = (series: Float64Array, value: number) => addToBuckets(state, series, sample.atMs, untilMs, value);
  add(buckets.demandCores, sample.demand.cores);
  add(buckets.demandMemoryMb, sample.demand.memoryMb);
  add(buckets.demandGpus, sample.demand.gpus);
  add(buckets.capacityCores, sample.capacity.cores);
  add(buckets.capacityMemoryMb, sample.capacity.memoryMb);
  add(buckets.capacityGpus, sample.capacity.gpus);
  add(buckets.sessionsRunning, sample.sessionsRunning);
  add(buckets.sessionsWaiting, sample.sessionsWaiting);
}
