import { emptyPlannerState, type PlannerState } from '@headroom/core';
import { type FleetModel, oldestAwaitingCheckinMs } from './fleet-model.js';

/**
 * Decides which tick instants must run the engine. A tick is quiet, and skipped, when its plan
 * cannot differ from the last one: nothing arrived, left, booted or checked in (`dirty` false),
 * the last tick did nothing and changed no planner state, and no schedule transition, backoff
 * expiry or check-in timeout (`wakeMs`) fell in between.
 */
export interface QuietTickSchedule {
  startMs: number;
  tickMs: number;
  skipQuietTicks: boolean;
  /** Something happened since the last tick that may change the plan. */
  dirty: boolean;
  /** The earliest instant at which the plan may change by the passing of time alone. */
  wakeMs: number;
  /** The planner state after the last tick, serialized for comparison. */
  plannerStateJson: string;
}

export function createQuietTickSchedule(options: {
  startMs: number;
  tickMs: number;
  skipQuietTicks: boolean;
}): QuietTickSchedule {
  return {
    ...options,
    dirty: true,
    wakeMs: Number.POSITIVE_INFINITY,
    plannerStateJson: JSON.stringify(emptyPlannerState()),
  };
}

/** True when the engine must run at tick instant `atMs`. */
export function mustTick(schedule: QuietTickSchedule, atMs: number): boolean {
  return !schedule.skipQuietTicks || schedule.dirty || atMs >= schedule.wakeMs;
}

/** The tick instant after `atMs`: the next interval, or when skipping, the first one at or after the next event or wake-up. */
export function nextTickAt(schedule: QuietTickSchedule, atMs: number, nextEventMs: number): number {
  const { startMs, tickMs } = schedule;
  if (!schedule.skipQuietTicks || schedule.dirty) return atMs + tickMs;
  const next = Math.min(nextEventMs, schedule.wakeMs);
  if (!Number.isFinite(next)) return Number.POSITIVE_INFINITY;
  return Math.max(atMs + tickMs, startMs + Math.ceil((next - startMs) / tickMs) * tickMs);
}

/** The earliest backoff expiry, schedule transition or check-in timeout after a tick at `atMs`. */
function nextWakeMs(fleet: FleetModel, state: PlannerState, atMs: number): number {
  let wakeMs = Number.POSITIVE_INFINITY;
  for (const runtime of fleet.runtimes) {
    const configState = state.autoscale[runtime.key];
    if (configState?.surplusSince)
      wakeMs = Math.min(
        wakeMs,
        Date.parse(configState.surplusSince) + runtime.entry.autoscale.downscaleBackoffSeconds * 1000,
      );
    if (configState?.createBlockedUntil) {
      const blockedUntil = Date.parse(configState.createBlockedUntil);
      if (blockedUntil > atMs) wakeMs = Math.min(wakeMs, blockedUntil);
    }
    wakeMs = Math.min(wakeMs, runtime.nextTransitionMs);
    if (runtime.checkinTimeoutMs !== undefined)
      wakeMs = Math.min(wakeMs, oldestAwaitingCheckinMs(runtime) + runtime.checkinTimeoutMs);
  }
  return wakeMs;
}

/**
 * Records how a tick at `atMs` ended: whether it (or the staging broker after it) acted, and the
 * planner state it left. The next tick may be skipped only when neither acted nor the state changed.
 */
export function noteTickEnd(
  schedule: QuietTickSchedule,
  options: { fleet: FleetModel; atMs: number; nextState: PlannerState; acted: boolean },
): void {
  const nextJson = JSON.stringify(options.nextState);
  const stateChanged = nextJson !== schedule.plannerStateJson;
  schedule.plannerStateJson = nextJson;
  schedule.dirty = options.acted || stateChanged;
  schedule.wakeMs = nextWakeMs(options.fleet, options.nextState, options.atMs);
}
