import { instanceShape, type Resources } from '@headroom/core';
import type { AutoscaleRuntime, SimInstance } from './simulation-types.js';

/**
 * Where an instance's time goes, for the split of the gap to the oracle: booting (created, failed
 * or not yet checked in), idle (running, accepting, no session), stranded (running, config
 * inactive, still holding sessions: it takes no new ones), busy (accepting, holding sessions),
 * inactive-idle (running, config inactive, empty: about to be removed) or other (not counted).
 */
export type WasteCategory = 'boot' | 'idle' | 'stranded' | 'busy' | 'inactive-idle' | 'other';

/** Per autoscale config: instances by category and the free room on its busy accepting instances. */
export interface WasteCounts {
  boot: number;
  idle: number;
  stranded: number;
  otherIdle: number;
  /** Free cores, memory and GPUs on busy accepting agents; servers: free sessions in `cores`. */
  freeOnBusy: Resources;
  /** Resources on stranded instances (capacity), counted as unused capacity. */
  strandedCapacity: Resources;
  strandedUsed: Resources;
}

export const emptyWasteCounts = (): WasteCounts => ({
  boot: 0,
  idle: 0,
  stranded: 0,
  otherIdle: 0,
  freeOnBusy: { cores: 0, memoryMb: 0, gpus: 0 },
  strandedCapacity: { cores: 0, memoryMb: 0, gpus: 0 },
  strandedUsed: { cores: 0, memoryMb: 0, gpus: 0 },
});

/** The category of an instance as it is now (`accepting` as `retally` computed it). */
export function wasteCategory(instance: SimInstance, accepting: boolean): WasteCategory {
  if (instance.destroyed) return 'other';
  if (instance.state === 'failed' || (instance.state !== 'running' && instance.state !== 'draining')) {
    return instance.state === 'destroying' ? 'other' : 'boot';
  }
  if (instance.state === 'running' && !accepting && instance.autoscale.active) return 'boot';
  if (accepting) return instance.sessionCount === 0 ? 'idle' : 'busy';
  return instance.sessionCount > 0 ? 'stranded' : 'inactive-idle';
}

/** Free room of a busy instance as standby counts it (agents: resources; servers: free sessions). */
function freeRoom(instance: SimInstance): Resources {
  if (instance.autoscale.pool.kind === 'server') {
    const autoscale = instance.autoscale.entry.autoscale as { maxSessionsPerServer: number };
    return { cores: Math.max(0, autoscale.maxSessionsPerServer - instance.sessionCount), memoryMb: 0, gpus: 0 };
  }
  return {
    cores: instance.capacity.cores - instance.used.cores,
    memoryMb: instance.capacity.memoryMb - instance.used.memoryMb,
    gpus: instance.capacity.gpus - instance.used.gpus,
  };
}

function addScaled(target: Resources, value: Resources, sign: number): void {
  target.cores += sign * value.cores;
  target.memoryMb += sign * value.memoryMb;
  target.gpus += sign * value.gpus;
}

/** Moves an instance's contribution in its config's counts from what it was to what it is now. */
export function updateWasteCounts(instance: SimInstance, accepting: boolean): void {
  const counts = instance.autoscale.waste;
  const before = instance.wasteTally;
  const category = wasteCategory(instance, accepting);
  const remove = (sign: number, entry: { category: WasteCategory; free: Resources; used: Resources }) => {
    if (entry.category === 'boot') counts.boot += sign;
    else if (entry.category === 'idle') counts.idle += sign;
    else if (entry.category === 'stranded') {
      counts.stranded += sign;
      addScaled(counts.strandedCapacity, instance.capacity, sign);
      addScaled(counts.strandedUsed, entry.used, sign);
    } else if (entry.category === 'busy') addScaled(counts.freeOnBusy, entry.free, sign);
    else if (entry.category === 'inactive-idle') counts.otherIdle += sign;
  };
  remove(-1, before);
  before.category = category;
  before.free = category === 'busy' ? freeRoom(instance) : { cores: 0, memoryMb: 0, gpus: 0 };
  before.used = category === 'stranded' ? { ...instance.used } : { cores: 0, memoryMb: 0, gpus: 0 };
  remove(1, before);
}

/** Standby the planner keeps for a config, in its own units (agents: resources; servers: sessions in `cores`). */
function standbyOf(runtime: AutoscaleRuntime): Resources {
  const autoscale = runtime.entry.autoscale as { standby?: Resources; minimumAvailableSessions?: number };
  const base =
    runtime.pool.kind === 'server'
      ? { cores: autoscale.minimumAvailableSessions ?? 0, memoryMb: 0, gpus: 0 }
      : (autoscale.standby ?? { cores: 0, memoryMb: 0, gpus: 0 });
  const extra = runtime.predictedStandby;
  return extra
    ? {
        cores: Math.max(base.cores, extra.cores),
        memoryMb: Math.max(base.memoryMb, extra.memoryMb),
        gpus: Math.max(base.gpus, extra.gpus),
      }
    : base;
}

/** One instance's room in standby units. */
function unitRoom(runtime: AutoscaleRuntime): Resources {
  if (runtime.pool.kind === 'server') {
    const autoscale = runtime.entry.autoscale as { maxSessionsPerServer: number };
    return { cores: autoscale.maxSessionsPerServer, memoryMb: 0, gpus: 0 };
  }
  return instanceShape(runtime.entry.autoscale);
}

/**
 * Idle instances of a config split into those standby needs (the standby not already covered by
 * free room on busy instances, in whole instances) and the rest (kept by the downscale backoff).
 */
export function splitIdle(runtime: AutoscaleRuntime): { standby: number; backoff: number } {
  const counts = runtime.waste;
  const idle = counts.idle;
  if (idle === 0 || !runtime.active) return { standby: 0, backoff: idle + counts.otherIdle };
  const standby = standbyOf(runtime);
  const room = unitRoom(runtime);
  let needed = 0;
  for (const key of ['cores', 'memoryMb', 'gpus'] as const) {
    const missing = standby[key] - counts.freeOnBusy[key];
    if (missing > 1e-9 && room[key] > 0) needed = Math.max(needed, Math.ceil(missing / room[key] - 1e-9));
  }
  const standbyInstances = Math.min(idle, needed);
  return { standby: standbyInstances, backoff: idle - standbyInstances + counts.otherIdle };
}
