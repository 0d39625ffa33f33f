import { INSTANCE_STATES } from '@headroom/core';
import { dayStarts } from './calendar-days.js';
import { createWasteAccumulator, type WasteAccumulator } from './gap-split.js';
import type { FleetSample, ResultsAutoscale } from './results-recorder.js';

/** Wait histogram bucket upper bounds in seconds; the last count is everything above the last bound. */
export const WAIT_HISTOGRAM_BOUNDS_SECONDS = [0, 10, 30, 60, 120, 300, 600, 1800, 3600];

export const SERIES_NAMES = [
  'demandCores',
  'demandMemoryMb',
  'demandGpus',
  'capacityCores',
  'capacityMemoryMb',
  'capacityGpus',
  'sessionsRunning',
  'sessionsWaiting',
  ...INSTANCE_STATES,
] as const;

export type SeriesName = (typeof SERIES_NAMES)[number];

/** Options of `createResultsRecorder`, also kept in the state. */
export interface ResultsRecorderOptions {
  startMs: number;
  endMs: number;
  autoscale: readonly ResultsAutoscale[];
  /** IANA zone for the cost-per-day boundaries. Defaults to UTC. */
  timezone?: string;
  maxTimelinePoints?: number;
  label?: string;
  /**
   * Count cost, instance-hours, idle capacity, sessions (by arrival) and the oracle only inside
   * `[fromMs, toMs)` (steady days); the timeline and cost per day still cover the whole run.
   */
  measure?: { fromMs: number; toMs: number };
}

/** Running totals of one run; every `*Ms` total is already clipped to the measurement window. */
export interface RecorderTotals {
  cost: number;
  instanceMs: number;
  billedSeconds: number;
  fleetInstanceMs: number;
  idleInstanceMs: number;
  strandedInstanceMs: number;
  unusedCoresMs: number;
  unusedMemoryMbMs: number;
  unusedGpusMs: number;
  peakInstances: number;
  peakConcurrent: number;
  served: number;
  waited: number;
  refused: number;
  gaveUp: number;
  scaleUps: number;
  scaleDowns: number;
  thrash: number;
  bootFailures: number;
  checkinTimeouts: number;
}

/** An instance not yet destroyed, with the times its cost depends on. */
export interface AliveInstance {
  autoscale: ResultsAutoscale;
  createdAtMs: number;
  runningAtMs?: number;
}

/** The recorder's accumulators; only the results-recorder functions touch them. */
export interface RecorderState {
  options: ResultsRecorderOptions;
  timezone: string;
  startMs: number;
  /** At least `startMs + 1`. */
  endMs: number;
  measureFromMs: number;
  measureToMs: number;
  waste: WasteAccumulator;
  bucketSeconds: number;
  bucketMs: number;
  bucketCount: number;
  /** Each series integrated over time (value × ms) per timeline bucket. */
  buckets: Record<SeriesName, Float64Array>;
  days: number[];
  dayCost: number[];
  autoscaleById: Map<string, ResultsAutoscale>;
  alive: Map<string, AliveInstance>;
  waitsSeconds: number[];
  histogram: number[];
  totals: RecorderTotals;
  /** The last fleet sample, integrated when the next one (or `finish`) arrives. */
  previous: FleetSample | undefined;
}

const NICE_BUCKET_SECONDS = [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** Fresh state: the timeline has at most `maxTimelinePoints` (default 1440) buckets of a round length. */
export function createRecorderState(options: ResultsRecorderOptions): RecorderState {
  const { startMs } = options;
  const endMs = Math.max(options.endMs, startMs + 1);
  const timezone = options.timezone ?? 'UTC';
  const spanSeconds = (endMs - startMs) / 1000;
  const maxPoints = options.maxTimelinePoints ?? 1440;
  const bucketSeconds =
    NICE_BUCKET_SECONDS.find((seconds) => spanSeconds / seconds <= maxPoints) ??
    Math.ceil(spanSeconds / maxPoints / 86400) * 86400;
  const bucketMs = bucketSeconds * 1000;
  const bucketCount = Math.max(1, Math.ceil((endMs - startMs) / bucketMs));
  const days = dayStarts({ fromMs: startMs, toMs: endMs, timezone });
  return {
    options,
    timezone,
    startMs,
    endMs,
    measureFromMs: options.measure?.fromMs ?? Number.NEGATIVE_INFINITY,
    measureToMs: options.measure?.toMs ?? Number.POSITIVE_INFINITY,
    waste: createWasteAccumulator(),
    bucketSeconds,
    bucketMs,
    bucketCount,
    buckets: Object.fromEntries(SERIES_NAMES.map((name) => [name, new Float64Array(bucketCount)])) as Record<
      SeriesName,
      Float64Array
    >,
    days,
    dayCost: new Array<number>(days.length).fill(0),
    autoscaleById: new Map(options.autoscale.map((autoscale) => [autoscale.id, autoscale])),
    alive: new Map(),
    waitsSeconds: [],
    histogram: new Array<number>(WAIT_HISTOGRAM_BOUNDS_SECONDS.length + 1).fill(0),
    totals: {
      cost: 0,
      instanceMs: 0,
      billedSeconds: 0,
      fleetInstanceMs: 0,
      idleInstanceMs: 0,
      strandedInstanceMs: 0,
      unusedCoresMs: 0,
      unusedMemoryMbMs: 0,
      unusedGpusMs: 0,
      peakInstances: 0,
      peakConcurrent: 0,
      served: 0,
      waited: 0,
      refused: 0,
      gaveUp: 0,
      scaleUps: 0,
      scaleDowns: 0,
      thrash: 0,
      bootFailures: 0,
      checkinTimeouts: 0,
    },
    previous: undefined,
  };
}

/** Length of `[fromMs, toMs)` inside the measurement window. */
export function measuredMs(state: RecorderState, fromMs: number, toMs: number): number {
  return Math.max(0, Math.min(toMs, state.measureToMs) - Math.max(fromMs, state.measureFromMs));
}

/** Whether a session that arrived at `atMs` counts (unknown arrival always counts). */
export function inMeasureWindow(state: RecorderState, atMs: number | undefined): boolean {
  return atMs === undefined || (atMs >= state.measureFromMs && atMs < state.measureToMs);
}

/** Adds `value` × time over `[fromMs, toMs)` (clipped to the run) to the timeline buckets of `series`. */
export function addToBuckets(
  state: RecorderState,
  series: Float64Array,
  fromMs: number,
  toMs: number,
  value: number,
): void {
  if (value === 0) return;
  const { startMs, endMs, bucketMs, bucketCount } = state;
  const clippedFrom = Math.max(fromMs, startMs);
  const clippedTo = Math.min(toMs, endMs);
  if (clippedTo <= clippedFrom) return;
  let index = Math.floor((clippedFrom - startMs) / bucketMs);
  let cursor = clippedFrom;
  while (cursor < clippedTo && index < bucketCount) {
    const bucketEnd = Math.min(startMs + (index + 1) * bucketMs, clippedTo);
    series[index]! += value * (bucketEnd - cursor);
    cursor = bucketEnd;
    index++;
  }
}

/** The time-weighted mean of each bucket of `series` (the last bucket may be shorter). */
export function bucketMeans(state: RecorderState, series: Float64Array): number[] {
  const { startMs, endMs, bucketMs } = state;
  return Array.from(series, (value, index) => {
    const from = startMs + index * bucketMs;
    const length = Math.min(from + bucketMs, endMs) - from;
    return length > 0 ? value / length : 0;
  });
}
