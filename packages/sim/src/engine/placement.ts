import type { Resources, Session } from '@headroom/core';
import { retally } from './fleet-model.js';
import type { SimulationContext } from './simulation-context.js';
import { epsilon, type PoolRuntime, type SimInstance, type SimSession } from './simulation-types.js';

/** A request as placement sees it: its size and, for server pools, its user. */
export type PlacementRequest = Resources & { user?: string };

/** True when `request` fits on `instance` now (accepting; room, or server session and user limits). */
export function fits(instance: SimInstance, request: PlacementRequest): boolean {
  if (!instance.tally.accepting) return false;
  if (instance.autoscale.pool.kind === 'server') {
    const autoscale = instance.autoscale.entry.autoscale as {
      maxSessionsPerServer: number;
      maxUsersPerServer: number;
      connection: { type: string };
      reusable: boolean;
    };
    if (instance.sessionCount >= autoscale.maxSessionsPerServer) return false;
    // Not reusable: no new session once one ended (the planner destroys it when empty).
    if (!autoscale.reusable && instance.snapshot.sessionEnded) return false;
    // RDP: one desktop per user per server (the seed); other connection types allow several sessions.
    if (request.user !== undefined && instance.users.has(request.user)) return autoscale.connection.type !== 'rdp';
    return instance.users.size + instance.anonymousSessions < autoscale.maxUsersPerServer;
  }
  return (
    instance.capacity.cores - instance.used.cores >= request.cores - epsilon &&
    instance.capacity.memoryMb - instance.used.memoryMb >= request.memoryMb - epsilon &&
    instance.capacity.gpus - instance.used.gpus >= request.gpus - epsilon
  );
}

/** False when no agent of the pool has enough of some resource (the tops of the most-free indexes). */
function mayFitSomewhere(pool: PoolRuntime, request: PlacementRequest): boolean {
  const cores = pool.placement.mostFreeCores();
  if (cores === undefined || cores.capacity.cores - cores.used.cores < request.cores - epsilon) return false;
  const memory = pool.placement.mostFreeMemory()!;
  if (memory.capacity.memoryMb - memory.used.memoryMb < request.memoryMb - epsilon) return false;
  const gpus = pool.placement.mostFreeGpus()!;
  return gpus.capacity.gpus - gpus.used.gpus >= request.gpus - epsilon;
}

/**
 * The instance of `pool` a request goes to, or undefined when it fits nowhere: `spread` takes the
 * roomiest (then the agent with the most free memory, cores or GPUs that fits), and otherwise the
 * roomiest that fits; `pack` the fullest that fits.
 */
export function choose(
  pool: PoolRuntime,
  request: PlacementRequest,
  placement: 'spread' | 'pack',
): SimInstance | undefined {
  if (pool.kind === 'docker-agent' && !mayFitSomewhere(pool, request)) return undefined;
  if (placement === 'spread') {
    const roomiest = pool.placement.roomiest();
    if (roomiest === undefined) return undefined;
    if (fits(roomiest, request)) return roomiest;
    // The roomiest overall lacks one resource: the agents with the most of each resource are next.
    if (pool.kind === 'docker-agent') {
      const { placement: index } = pool;
      for (const candidate of [index.mostFreeMemory(), index.mostFreeCores(), index.mostFreeGpus()]) {
        if (candidate && fits(candidate, request)) return candidate;
      }
    }
  }
  let best: SimInstance | undefined;
  let bestScore = 0;
  for (const instance of pool.instances) {
    if (!fits(instance, request)) continue;
    const score = instance.score;
    if (best === undefined || (placement === 'spread' ? score > bestScore : score < bestScore)) {
      best = instance;
      bestScore = score;
    }
  }
  return best;
}

/** Starts `session` on `instance` at `atMs`: counts it, records its wait and schedules its departure. */
export function place(context: SimulationContext, session: SimSession, instance: SimInstance, atMs: number): void {
  const { trace } = session;
  const { totals } = context.fleet;
  session.state = 'running';
  session.instance = instance;
  instance.sessionCount++;
  instance.used.cores += trace.cores;
  instance.used.memoryMb += trace.memoryMb;
  instance.used.gpus += trace.gpus;
  totals.used.cores += trace.cores;
  totals.used.memoryMb += trace.memoryMb;
  totals.used.gpus += trace.gpus;
  totals.sessionsRunning++;
  if (instance.autoscale.pool.kind === 'server') {
    if (trace.user === undefined) instance.anonymousSessions++;
    else instance.users.set(trace.user, (instance.users.get(trace.user) ?? 0) + 1);
    const snapshotSession: Session = {
      id: `s${instance.sessionList.length}-${atMs}`,
      cores: trace.cores,
      memoryMb: trace.memoryMb,
      gpus: trace.gpus,
      staged: false,
      ...(trace.user !== undefined ? { user: trace.user } : {}),
    };
    session.snapshotSession = snapshotSession;
    instance.sessionList.push(snapshotSession);
  }
  retally(context.fleet, instance);
  context.recorder.sessionStarted({ waitedMs: atMs - session.arrivedAtMs, arrivedAtMs: session.arrivedAtMs });
  context.events.push(atMs + trace.durationMs, { kind: 'departure', session });
  context.schedule.dirty = true;
}

/** Ends a running session at `atMs`: frees its room on its instance. */
export function unplace(context: SimulationContext, session: SimSession): SimInstance {
  const instance = session.instance!;
  const { trace } = session;
  const { totals } = context.fleet;
  session.state = 'done';
  instance.sessionCount--;
  totals.sessionsRunning--;
  if (instance.sessionCount === 0) {
    instance.used = { ...instance.stagedUsed };
  } else {
    instance.used.cores -= trace.cores;
    instance.used.memoryMb -= trace.memoryMb;
    instance.used.gpus -= trace.gpus;
  }
  totals.used.cores -= trace.cores;
  totals.used.memoryMb -= trace.memoryMb;
  totals.used.gpus -= trace.gpus;
  if (totals.sessionsRunning === 0 && context.stagings.length === 0) totals.used = { cores: 0, memoryMb: 0, gpus: 0 };
  if (instance.autoscale.pool.kind === 'server') {
    if (trace.user === undefined) instance.anonymousSessions--;
    else {
      const count = (instance.users.get(trace.user) ?? 1) - 1;
      if (count === 0) instance.users.delete(trace.user);
      else instance.users.set(trace.user, count);
    }
    const index = instance.sessionList.indexOf(session.snapshotSession!);
    if (index >= 0) instance.sessionList.splice(index, 1);
    instance.snapshot.sessionEnded = true;
  }
  retally(context.fleet, instance);
  context.schedule.dirty = true;
  return instance;
}
