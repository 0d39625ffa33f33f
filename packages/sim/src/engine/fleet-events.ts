import { isActive, nextTransition } from '@headroom/core';
import type { TraceSession } from '../trace/trace-session.js';
import { retally } from './fleet-model.js';
import { finishImagePull, startImagePull } from './image-pulls.js';
import { choose, place, unplace } from './placement.js';
import { drainQueue, enqueue, giveUp } from './session-queue.js';
import type { SimulationContext } from './simulation-context.js';
import type { SimEvent, SimInstance, SimSession } from './simulation-types.js';
import { takeStaged } from './staging-broker.js';

/** A trace session arrives at `atMs`: a staged session, else placement, else the queue, else refused. */
export function arrive(context: SimulationContext, trace: TraceSession, atMs: number): void {
  const pool = context.fleet.pools.get(trace.pool ?? context.defaultPool);
  if (!pool) {
    context.recorder.sessionRefused({ reason: 'no-capacity', arrivedAtMs: atMs });
    if (!context.warnings.some((warning) => warning.startsWith(`pool "${trace.pool}"`))) {
      context.warnings.push(`pool "${trace.pool}" of some trace sessions is not in the config; they were refused`);
    }
    return;
  }
  const session: SimSession = { trace, pool, arrivedAtMs: atMs, state: 'queued' };
  context.schedule.dirty = true;
  const instance =
    takeStaged({
      fleet: context.fleet,
      stagings: context.stagings,
      zones: context.zones,
      byZone: context.stagingByZone,
      pool,
      request: trace,
      atMs,
    }) ?? choose(pool, trace, context.placement);
  if (instance) {
    place(context, session, instance, atMs);
    return;
  }
  const aggressive = pool.autoscale.some((runtime) => runtime.active && runtime.entry.autoscale.aggressiveScaling);
  if (!aggressive) {
    session.state = 'refused';
    context.recorder.sessionRefused({ reason: 'no-capacity', arrivedAtMs: atMs });
    return;
  }
  enqueue(context, session, atMs);
}

function bootEnd(
  context: SimulationContext,
  event: { instance: SimInstance; failed: boolean; checkinDelayMs: number },
  atMs: number,
): void {
  const { instance } = event;
  if (instance.destroyed) return;
  context.schedule.dirty = true;
  if (event.failed) {
    instance.state = 'failed';
    context.hooks.instanceFailed?.(instance);
    retally(context.fleet, instance);
    return;
  }
  instance.state = 'running';
  context.recorder.instanceRunning({ instanceId: instance.id, atMs });
  if (instance.autoscale.requireCheckin)
    context.events.push(atMs + event.checkinDelayMs, { kind: 'checkin', instance });
  else {
    instance.checkedIn = true;
    startImagePull(context, instance, atMs);
  }
  retally(context.fleet, instance);
  drainQueue(context, instance.autoscale.pool, atMs, instance);
}

function checkin(context: SimulationContext, instance: SimInstance, atMs: number): void {
  if (instance.destroyed) return;
  instance.checkedIn = true;
  context.hooks.checkedIn?.(instance, atMs);
  context.schedule.dirty = true;
  startImagePull(context, instance, atMs);
  retally(context.fleet, instance);
  drainQueue(context, instance.autoscale.pool, atMs, instance);
}

/** Applies one timed event at `atMs`. */
export function handleEvent(context: SimulationContext, event: SimEvent, atMs: number): void {
  context.eventCount++;
  switch (event.kind) {
    case 'departure': {
      const instance = unplace(context, event.session);
      drainQueue(context, instance.autoscale.pool, atMs, instance);
      return;
    }
    case 'give-up':
      giveUp(context, event.session);
      return;
    case 'boot-end':
      bootEnd(context, event, atMs);
      return;
    case 'checkin':
      checkin(context, event.instance, atMs);
      return;
    case 'images-pulled':
      finishImagePull(context, event.instance, atMs);
      return;
  }
}

/**
 * Moves every autoscale config whose schedule transition is due at `atMs` to its new activity:
 * its instances start or stop accepting sessions, and a config that became active takes waiting ones.
 */
export function refreshActivity(context: SimulationContext, atMs: number): void {
  for (const runtime of context.fleet.runtimes) {
    if (atMs < runtime.nextTransitionMs) continue;
    const schedules = runtime.entry.autoscale.schedules;
    const active = runtime.entry.autoscale.enabled && isActive(schedules, atMs);
    runtime.nextTransitionMs =
      schedules.length > 0 ? (nextTransition(schedules, atMs) ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
    if (active === runtime.active) continue;
    runtime.active = active;
    context.schedule.dirty = true;
    for (const instance of runtime.pool.instances) if (instance.autoscale === runtime) retally(context.fleet, instance);
    if (active) drainQueue(context, runtime.pool, atMs);
  }
}
