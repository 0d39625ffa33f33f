import type { FleetSnapshot, QueuedRequest } from '@headroom/core';
import type { FleetModel } from './fleet-model.js';

/** The planner's view of the simulated fleet at `atMs`: its instances (kept current) and the waiting requests. */
export function buildSnapshot(fleet: FleetModel, atMs: number): FleetSnapshot {
  const queued: QueuedRequest[] = [];
  for (const pool of fleet.pools.values()) {
    for (const session of pool.queue) {
      queued.push({
        pool: pool.id,
        cores: session.trace.cores,
        memoryMb: session.trace.memoryMb,
        gpus: session.trace.gpus,
        since: session.sinceIso!,
        ...(session.trace.user !== undefined ? { user: session.trace.user } : {}),
        ...(session.trace.workspace !== undefined ? { workspace: session.trace.workspace } : {}),
      });
    }
  }
  return { at: new Date(atMs).toISOString(), instances: fleet.snapshotInstances, queued };
}
