import { INSTANCE_STATES, type InstanceState, type Resources } from '@headroom/core';
import type { BillingModel } from '../cloud-model.js';
import { buildSimulationResult } from './build-simulation-result.js';
import { closeRecordedInstance } from './close-recorded-instance.js';
import type { OracleResult } from './compute-oracle.js';
import type { WasteSample } from './gap-split.js';
import { integrateFleetSample } from './integrate-fleet-sample.js';
import {
  createRecorderState,
  inMeasureWindow,
  type ResultsRecorderOptions,
  WAIT_HISTOGRAM_BOUNDS_SECONDS,
} from './results-recorder-state.js';
import type { SimulationResult } from './simulation-result.js';

/** What the recorder needs to know about one autoscale config. */
export interface ResultsAutoscale {
  id: string;
  pricePerInstanceHour: number;
  billing: BillingModel;
  downscaleBackoffSeconds: number;
}

/** The fleet as it is from `atMs` until the next sample. */
export interface FleetSample {
  atMs: number;
  /** Instances by state (missing states count 0). */
  instancesByState: Partial<Record<InstanceState, number>>;
  /** Capacity of running instances that accept sessions. */
  capacity: Resources;
  /** Resources of running sessions plus waiting requests. */
  demand: Resources;
  /** Resources reserved by running sessions. */
  used: Resources;
  sessionsRunning: number;
  sessionsWaiting: number;
  /** Running instances holding no session. */
  idleInstances: number;
  /** Instances by waste category (for the gap split); omitted counts as none. */
  waste?: WasteSample;
}

export type DestroyReason = 'scale-down' | 'boot-failure' | 'checkin-timeout' | 'end-of-run';

export { WAIT_HISTOGRAM_BOUNDS_SECONDS } from './results-recorder-state.js';

export interface ResultsRecorder {
  instanceCreated(options: { instanceId: string; autoscaleId: string; atMs: number }): void;
  instanceRunning(options: { instanceId: string; atMs: number }): void;
  /** @throws Error when the instance was never created (a simulator bug). */
  instanceDestroyed(options: { instanceId: string; atMs: number; reason: DestroyReason }): void;
  /** A session was placed; `waitedMs` is 0 when it was placed on arrival. */
  sessionStarted(options: { waitedMs: number; arrivedAtMs?: number }): void;
  /** A session was refused, at once (`no-capacity`) or after waiting (`gave-up`). */
  sessionRefused(options: { reason: 'no-capacity' | 'gave-up'; arrivedAtMs?: number }): void;
  fleet(sample: FleetSample): void;
  /** Closes the run at `atMs`: instances still alive are billed until then. */
  finish(options: {
    atMs: number;
    oracle?: Pick<OracleResult, 'cost' | 'fluidCost' | 'instanceHours' | 'peakInstances' | 'steps' | 'runs'>;
  }): SimulationResult;
}

/**
 * Accumulates a simulation's measurements: cost per instance under its config's billing, the
 * fleet integrated over time into a bounded timeline (at most `maxTimelinePoints` buckets between
 * `startMs` and `endMs`), waits, refusals and thrash.
 *
 * The accumulators live in one `RecorderState` (results-recorder-state.ts) that no other code
 * touches; each event is a short step here or in a sibling file.
 */
export function createResultsRecorder(options: ResultsRecorderOptions): ResultsRecorder {
  const state = createRecorderState(options);
  const { totals } = state;
  return {
    instanceCreated({ instanceId, autoscaleId, atMs }) {
      const autoscale = state.autoscaleById.get(autoscaleId);
      if (!autoscale) throw new Error(`results: unknown autoscale config "${autoscaleId}"`);
      state.alive.set(instanceId, { autoscale, createdAtMs: atMs });
      totals.scaleUps++;
    },
    instanceRunning({ instanceId, atMs }) {
      const instance = state.alive.get(instanceId);
      if (instance && instance.runningAtMs === undefined) instance.runningAtMs = atMs;
    },
    instanceDestroyed({ instanceId, atMs, reason }) {
      closeRecordedInstance(state, instanceId, atMs, reason);
    },
    sessionStarted({ waitedMs, arrivedAtMs }) {
      if (!inMeasureWindow(state, arrivedAtMs)) return;
      const seconds = waitedMs / 1000;
      totals.served++;
      if (waitedMs > 0) totals.waited++;
      state.waitsSeconds.push(seconds);
      let bucket = WAIT_HISTOGRAM_BOUNDS_SECONDS.findIndex((bound) => seconds <= bound);
      if (bucket < 0) bucket = WAIT_HISTOGRAM_BOUNDS_SECONDS.length;
      state.histogram[bucket]!++;
    },
    sessionRefused({ reason, arrivedAtMs }) {
      if (!inMeasureWindow(state, arrivedAtMs)) return;
      totals.refused++;
      if (reason === 'gave-up') totals.gaveUp++;
    },
    fleet(sample) {
      if (state.previous) integrateFleetSample(state, state.previous, sample.atMs);
      state.previous = { ...sample };
      let instances = 0;
      for (const instanceState of INSTANCE_STATES) instances += sample.instancesByState[instanceState] ?? 0;
      totals.peakInstances = Math.max(totals.peakInstances, instances);
      totals.peakConcurrent = Math.max(totals.peakConcurrent, sample.sessionsRunning);
    },
    finish({ atMs, oracle }) {
      if (state.previous) integrateFleetSample(state, state.previous, atMs);
      state.previous = undefined;
      for (const instanceId of [...state.alive.keys()]) closeRecordedInstance(state, instanceId, atMs, 'end-of-run');
      return buildSimulationResult(state, { atMs, ...(oracle ? { oracle } : {}) });
    },
  };
}
