import type { Instance, LedgerInstance, QueuedRequest, Session } from '@headroom/core';

/** A session the load generator plays; `instanceId` is set once it is placed. */
export interface SimulatedSession {
  id: string;
  cores: number;
  memoryMb: number;
  gpus: number;
  arrivedAtMs: number;
  endsAtMs: number;
  instanceId?: string;
}

type Load = { cores: number; memoryMb: number; gpus: number };

/** Removes placed sessions that have ended by `nowMs`; returns how many it removed. */
export function removeEndedSessions(sessions: SimulatedSession[], nowMs: number): number {
  let removed = 0;
  for (let index = sessions.length - 1; index >= 0; index--) {
    if (sessions[index]!.endsAtMs <= nowMs && sessions[index]!.instanceId !== undefined) {
      sessions.splice(index, 1);
      removed += 1;
    }
  }
  return removed;
}

/**
 * Unplaces sessions whose instance is no longer running, then places each waiting session on the
 * first running instance with room left (first fit, in ledger order).
 */
export function placeSessions(sessions: readonly SimulatedSession[], running: readonly LedgerInstance[]): void {
  const runningIds = new Set(running.map((instance) => instance.id));
  for (const session of sessions)
    if (session.instanceId && !runningIds.has(session.instanceId)) delete session.instanceId;
  const used = new Map<string, Load>();
  for (const instance of running) used.set(instance.id, { cores: 0, memoryMb: 0, gpus: 0 });
  for (const session of sessions) {
    const load = session.instanceId ? used.get(session.instanceId) : undefined;
    if (load) addSession(load, session);
  }
  for (const session of sessions) {
    if (session.instanceId) continue;
    const target = running.find((instance) => {
      const load = used.get(instance.id)!;
      return (
        load.cores + session.cores <= instance.shape.cores &&
        load.memoryMb + session.memoryMb <= instance.shape.memoryMb &&
        load.gpus + session.gpus <= instance.shape.gpus
      );
    });
    if (!target) continue;
    session.instanceId = target.id;
    addSession(used.get(target.id)!, session);
  }
}

function addSession(load: Load, session: SimulatedSession): void {
  load.cores += session.cores;
  load.memoryMb += session.memoryMb;
  load.gpus += session.gpus;
}

/** The fleet report body parts: running instances with their sessions, and the unplaced sessions as queued. */
export function fleetReport(
  sessions: readonly SimulatedSession[],
  running: readonly LedgerInstance[],
  pool: string,
): { instances: Instance[]; queued: QueuedRequest[] } {
  const instances: Instance[] = running.map((instance) => ({
    id: instance.id,
    pool: instance.pool,
    autoscale: instance.autoscale,
    provider: instance.provider,
    state: 'running',
    checkedIn: instance.checkedInAt !== undefined,
    createdAt: instance.createdAt,
    capacity: instance.shape,
    sessions: sessions
      .filter((session) => session.instanceId === instance.id)
      .map(
        (session): Session => ({
          id: session.id,
          cores: session.cores,
          memoryMb: session.memoryMb,
          gpus: session.gpus,
          staged: false,
        }),
      ),
    ...(instance.address ? { address: instance.address } : {}),
  }));
  const queued: QueuedRequest[] = sessions
    .filter((session) => session.instanceId === undefined)
    .map((session) => ({
      pool,
      cores: session.cores,
      memoryMb: session.memoryMb,
      gpus: session.gpus,
      since: new Date(session.arrivedAtMs).toISOString(),
    }));
  return { instances, queued };
}
