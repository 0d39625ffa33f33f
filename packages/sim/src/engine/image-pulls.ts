import { pullMilliseconds } from '../cloud-model.js';
import type { ImagePullResult } from '../results/simulation-result.js';
import { retally } from './fleet-model.js';
import { drainQueue } from './session-queue.js';
import type { SimulationContext } from './simulation-context.js';
import type { SimInstance } from './simulation-types.js';

/** What the run's image pulls cost in waiting capacity, inside the measurement window. */
export interface ImagePullTally {
  measureFromMs: number;
  measureToMs: number;
  pulls: number;
  finished: number;
  pullMs: number;
  waitingInstanceMs: number;
  waitingCoreMs: number;
  waitingCost: number;
  sessionsWaited: number;
  /** Agents pulling now. */
  pulling: Set<SimInstance>;
}

export function createImagePullTally(options: { measureFromMs?: number; measureToMs?: number }): ImagePullTally {
  return {
    measureFromMs: options.measureFromMs ?? Number.NEGATIVE_INFINITY,
    measureToMs: options.measureToMs ?? Number.POSITIVE_INFINITY,
    pulls: 0,
    finished: 0,
    pullMs: 0,
    waitingInstanceMs: 0,
    waitingCoreMs: 0,
    waitingCost: 0,
    sessionsWaited: 0,
    pulling: new Set(),
  };
}

const inWindow = (tally: ImagePullTally, atMs: number) => atMs >= tally.measureFromMs && atMs < tally.measureToMs;

/** The agent holds its pool's images from `atMs`: it reports them present and may take sessions. */
function markPulled(instance: SimInstance, atMs: number): void {
  const pulledAt = new Date(atMs).toISOString();
  instance.imagesReady = true;
  instance.snapshot.images = instance.autoscale.pool.images.map((image) => ({
    reference: image.reference,
    ...(image.digest !== undefined ? { digest: image.digest } : {}),
    pulledAt,
    state: 'present' as const,
  }));
}

/**
 * An agent of a pool with images became running and checked in at `atMs`: it starts pulling them
 * (one after another at its provider's `pullBandwidthMbPerSecond`) and reports them `pulling`, so
 * the planner counts it as pending. An instant pull (no size, infinite bandwidth) marks it ready at
 * once. The caller re-tallies the instance.
 */
export function startImagePull(context: SimulationContext, instance: SimInstance, atMs: number): void {
  const pool = instance.autoscale.pool;
  if (pool.images.length === 0 || instance.imagesReady) return;
  const durationMs = pullMilliseconds({ sizeMb: pool.imagesSizeMb, model: instance.autoscale.model });
  const tally = context.imagePulls;
  if (inWindow(tally, atMs)) tally.pulls++;
  if (durationMs === 0) {
    markPulled(instance, atMs);
    return;
  }
  instance.snapshot.images = pool.images.map((image) => ({ reference: image.reference, state: 'pulling' as const }));
  instance.pullStartedAtMs = atMs;
  tally.pulling.add(instance);
  context.events.push(atMs + durationMs, { kind: 'images-pulled', instance });
}

/** Ends the waiting of a pulling agent at `atMs` (pull done, agent destroyed or end of run). */
export function closeImagePull(context: SimulationContext, instance: SimInstance, atMs: number): void {
  const startedAtMs = instance.pullStartedAtMs;
  if (startedAtMs === undefined) return;
  const tally = context.imagePulls;
  instance.pullStartedAtMs = undefined;
  tally.pulling.delete(instance);
  const measuredMs = Math.max(0, Math.min(atMs, tally.measureToMs) - Math.max(startedAtMs, tally.measureFromMs));
  tally.waitingInstanceMs += measuredMs;
  tally.waitingCoreMs += measuredMs * instance.capacity.cores;
  tally.waitingCost += (measuredMs / 3_600_000) * instance.autoscale.pricePerInstanceHour;
}

/**
 * The `images-pulled` event: the agent takes sessions from now on, the waiting ones of its pool
 * first (those count as sessions that waited on a pull).
 */
export function finishImagePull(context: SimulationContext, instance: SimInstance, atMs: number): void {
  if (instance.destroyed || instance.pullStartedAtMs === undefined) return;
  const tally = context.imagePulls;
  if (inWindow(tally, atMs)) {
    tally.finished++;
    tally.pullMs += atMs - instance.pullStartedAtMs;
  }
  closeImagePull(context, instance, atMs);
  markPulled(instance, atMs);
  context.schedule.dirty = true;
  retally(context.fleet, instance);
  const before = instance.sessionCount;
  drainQueue(context, instance.autoscale.pool, atMs, instance);
  if (inWindow(tally, atMs)) tally.sessionsWaited += instance.sessionCount - before;
}

/** Closes the pulls still running at `endMs` and sums the tally up. */
export function summariseImagePulls(context: SimulationContext, endMs: number): ImagePullResult {
  const tally = context.imagePulls;
  for (const instance of [...tally.pulling]) closeImagePull(context, instance, endMs);
  return {
    pulls: tally.pulls,
    meanPullSeconds: tally.finished > 0 ? tally.pullMs / tally.finished / 1000 : 0,
    waitingInstanceHours: tally.waitingInstanceMs / 3_600_000,
    waitingCoreHours: tally.waitingCoreMs / 3_600_000,
    waitingCost: tally.waitingCost,
    sessionsWaited: tally.sessionsWaited,
  };
}
