import type { Resources } from '@headroom/core';
import { type ProviderCloudModel, sampleBootFailure, sampleSeconds } from '../cloud-model.js';
import type { Random } from '../random.js';
import type { DestroyReason } from '../results/results-recorder.js';
import { addInstance, removeInstance, retally } from './fleet-model.js';
import { closeImagePull } from './image-pulls.js';
import { drainQueue } from './session-queue.js';
import type { SimulationContext } from './simulation-context.js';
import type { AutoscaleRuntime, BootDraw, SimInstance } from './simulation-types.js';

/** Draws a new instance's boot time, boot failure and check-in delay, in that order. */
export function drawBoot(random: Random, model: ProviderCloudModel): BootDraw {
  const bootMs = Math.round(sampleSeconds({ distribution: model.bootTime, random }) * 1000);
  const failed = sampleBootFailure({ model, random });
  const checkinDelayMs = Math.round(sampleSeconds({ distribution: model.checkinDelay, random }) * 1000);
  return { bootMs, failed, checkinDelayMs };
}

/** Adds an instance the cloud accepted at `atMs` to the fleet and the results; it boots as `draw` says. */
export function launchInstance(
  context: SimulationContext,
  options: { runtime: AutoscaleRuntime; id: string; shape: Resources; atMs: number; draw: BootDraw },
): SimInstance {
  const { runtime, id, atMs, draw } = options;
  const instance = addInstance(context.fleet, options);
  context.recorder.instanceCreated({ instanceId: id, autoscaleId: runtime.entry.autoscale.id, atMs });
  context.events.push(atMs + draw.bootMs, {
    kind: 'boot-end',
    instance,
    failed: draw.failed,
    checkinDelayMs: draw.checkinDelayMs,
  });
  return instance;
}

/** Destroys an instance at `atMs`: it leaves the fleet and its billing ends. */
export function destroyInstance(
  context: SimulationContext,
  options: { instance: SimInstance; atMs: number; reason: DestroyReason },
): void {
  const { instance, atMs, reason } = options;
  if (instance.destroyed) return;
  closeImagePull(context, instance, atMs);
  removeInstance(context.fleet, instance, atMs);
  context.recorder.instanceDestroyed({ instanceId: instance.id, atMs, reason });
}

/** The results' destroy reason of a planner destroy cause. */
export function destroyReasonOf(cause: string): DestroyReason {
  return cause === 'failed' ? 'boot-failure' : cause === 'checkin-timeout' ? 'checkin-timeout' : 'scale-down';
}

/**
 * A planner `drain` (`draining: true`) or `undrain` at `atMs`, as the control plane honours it: a
 * draining instance takes no new sessions (placement skips it) and keeps the ones it has; an
 * undrained one takes sessions again, the waiting ones first. Other states are left alone.
 */
export function setDraining(
  context: SimulationContext,
  options: { instance: SimInstance; draining: boolean; atMs: number },
): void {
  const { instance, draining, atMs } = options;
  if (instance.destroyed || instance.state !== (draining ? 'running' : 'draining')) return;
  instance.state = draining ? 'draining' : 'running';
  retally(context.fleet, instance);
  context.schedule.dirty = true;
  if (!draining) drainQueue(context, instance.autoscale.pool, atMs, instance);
}
