import type { FleetTotals } from './fleet-model.js';
import { choose, fits, place } from './placement.js';
import type { SimulationContext } from './simulation-context.js';
import { epsilon, type PoolRuntime, type SimInstance, type SimSession } from './simulation-types.js';

/** Puts a session that fits nowhere in its pool's queue at `atMs`; it gives up after `giveUpMs`. */
export function enqueue(context: SimulationContext, session: SimSession, atMs: number): void {
  const { pool, trace } = session;
  const { totals } = context.fleet;
  session.sinceIso = new Date(atMs).toISOString();
  pool.queue.push(session);
  if (pool.queueMinimum) {
    pool.queueMinimum.cores = Math.min(pool.queueMinimum.cores, trace.cores);
    pool.queueMinimum.memoryMb = Math.min(pool.queueMinimum.memoryMb, trace.memoryMb);
    pool.queueMinimum.gpus = Math.min(pool.queueMinimum.gpus, trace.gpus);
  }
  totals.sessionsWaiting++;
  totals.queued.cores += trace.cores;
  totals.queued.memoryMb += trace.memoryMb;
  totals.queued.gpus += trace.gpus;
  if (Number.isFinite(context.giveUpMs)) context.events.push(atMs + context.giveUpMs, { kind: 'give-up', session });
}

/** Takes a session's request out of the waiting totals (the caller removes it from the queue array). */
function releaseQueued(totals: FleetTotals, session: SimSession): void {
  totals.sessionsWaiting--;
  totals.queued.cores -= session.trace.cores;
  totals.queued.memoryMb -= session.trace.memoryMb;
  totals.queued.gpus -= session.trace.gpus;
  if (totals.sessionsWaiting === 0) totals.queued = { cores: 0, memoryMb: 0, gpus: 0 };
}

/** A waiting session gives up: it leaves the queue and counts as refused. */
export function giveUp(context: SimulationContext, session: SimSession): void {
  if (session.state !== 'queued') return;
  releaseQueued(context.fleet.totals, session);
  session.pool.queue.splice(session.pool.queue.indexOf(session), 1);
  session.pool.queueMinimum = undefined;
  session.state = 'refused';
  context.recorder.sessionRefused({ reason: 'gave-up', arrivedAtMs: session.arrivedAtMs });
  context.schedule.dirty = true;
}

/** False when `onto` lacks room for even the component-wise smallest waiting request of its agent pool. */
function mayTakeAny(pool: PoolRuntime, onto: SimInstance): boolean {
  if (pool.kind !== 'docker-agent') return true;
  if (pool.queueMinimum === undefined) {
    const minimum = {
      cores: Number.POSITIVE_INFINITY,
      memoryMb: Number.POSITIVE_INFINITY,
      gpus: Number.POSITIVE_INFINITY,
    };
    for (const session of pool.queue) {
      minimum.cores = Math.min(minimum.cores, session.trace.cores);
      minimum.memoryMb = Math.min(minimum.memoryMb, session.trace.memoryMb);
      minimum.gpus = Math.min(minimum.gpus, session.trace.gpus);
    }
    pool.queueMinimum = minimum;
  }
  const minimum = pool.queueMinimum;
  return !(
    onto.capacity.cores - onto.used.cores < minimum.cores - epsilon ||
    onto.capacity.memoryMb - onto.used.memoryMb < minimum.memoryMb - epsilon ||
    onto.capacity.gpus - onto.used.gpus < minimum.gpus - epsilon
  );
}

/**
 * Places waiting sessions, first come first served, skipping those that fit nowhere. With `onto`,
 * only that instance gained room since the last drain, so only it is tried.
 */
export function drainQueue(context: SimulationContext, pool: PoolRuntime, atMs: number, onto?: SimInstance): void {
  if (pool.queue.length === 0) return;
  if (onto && (!onto.tally.accepting || !mayTakeAny(pool, onto))) return;
  let placed = 0;
  for (const session of pool.queue) {
    const instance = onto
      ? fits(onto, session.trace)
        ? onto
        : undefined
      : choose(pool, session.trace, context.placement);
    if (!instance) continue;
    placed++;
    releaseQueued(context.fleet.totals, session);
    place(context, session, instance, atMs);
  }
  if (placed > 0) {
    pool.queue = pool.queue.filter((session) => session.state === 'queued');
    pool.queueMinimum = undefined;
  }
}
