import { INSTANCE_STATES, type InstanceState, type Resources } from '@headroom/core';
import { type BillingModel, instanceCost } from '../cloud-model.js';
import { dayLabel, dayStarts, spreadOverDays } from './calendar-days.js';
import type { OracleResult } from './compute-oracle.js';
import { accumulateWaste, computeGapSplit, createWasteAccumulator, type WasteSample } from './gap-split.js';
import { percentileOfSorted } from './percentile.js';
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

/** Wait histogram bucket upper bounds in seconds; the last count is everything above the last bound. */
export const WAIT_HISTOGRAM_BOUNDS_SECONDS = [0, 10, 30, 60, 120, 300, 600, 1800, 3600];

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

const seriesNames = [
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

/**
 * Accumulates a simulation's measurements: cost per instance under its config's billing, the
 * fleet integrated over time into a bounded timeline (at most `maxTimelinePoints` buckets between
 * `startMs` and `endMs`), waits, refusals and thrash.
 *
 * Why this factory is longer than a screen (~270 lines): it is the recorder's seven event methods
 * (each a few lines) and `finish` (~110 lines, mostly the result's literal), all over one set of
 * accumulators that no other code touches. Splitting it into a state object and module functions is
 * possible but was not part of the engine split (issue 12), which took the shared totals out of the
 * engine itself.
 */
export function createResultsRecorder(options: {
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
}): ResultsRecorder {
  const timezone = options.timezone ?? 'UTC';
  const { startMs } = options;
  const endMs = Math.max(options.endMs, startMs + 1);
  const measureFromMs = options.measure?.fromMs ?? Number.NEGATIVE_INFINITY;
  const measureToMs = options.measure?.toMs ?? Number.POSITIVE_INFINITY;
  /** Length of `[fromMs, toMs)` inside the measurement window. */
  const measured = (fromMs: number, toMs: number): number =>
    Math.max(0, Math.min(toMs, measureToMs) - Math.max(fromMs, measureFromMs));
  const inWindow = (atMs: number | undefined): boolean =>
    atMs === undefined || (atMs >= measureFromMs && atMs < measureToMs);
  const waste = createWasteAccumulator();
  const spanSeconds = (endMs - startMs) / 1000;
  const maxPoints = options.maxTimelinePoints ?? 1440;
  const niceBuckets = [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  const bucketSeconds =
    niceBuckets.find((seconds) => spanSeconds / seconds <= maxPoints) ??
    Math.ceil(spanSeconds / maxPoints / 86400) * 86400;
  const bucketMs = bucketSeconds * 1000;
  const bucketCount = Math.max(1, Math.ceil((endMs - startMs) / bucketMs));
  const buckets = Object.fromEntries(seriesNames.map((name) => [name, new Float64Array(bucketCount)])) as Record<
    (typeof seriesNames)[number],
    Float64Array
  >;
  const days = dayStarts({ fromMs: startMs, toMs: endMs, timezone });
  const dayCost = new Array<number>(days.length).fill(0);
  const autoscaleById = new Map(options.autoscale.map((autoscale) => [autoscale.id, autoscale]));
  const alive = new Map<string, { autoscale: ResultsAutoscale; createdAtMs: number; runningAtMs?: number }>();
  const waitsSeconds: number[] = [];
  const histogram = new Array<number>(WAIT_HISTOGRAM_BOUNDS_SECONDS.length + 1).fill(0);
  const totals = {
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
  };
  let previous: FleetSample | undefined;

  const addToBuckets = (series: Float64Array, fromMs: number, toMs: number, value: number): void => {
    if (value === 0) return;
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
  };

  const integrate = (sample: FleetSample, untilMs: number): void => {
    const duration = untilMs - sample.atMs;
    if (duration <= 0) return;
    let instances = 0;
    for (const state of INSTANCE_STATES) {
      const value = sample.instancesByState[state] ?? 0;
      instances += value;
      addToBuckets(buckets[state], sample.atMs, untilMs, value);
    }
    const counted = measured(sample.atMs, untilMs);
    totals.fleetInstanceMs += instances * counted;
    totals.idleInstanceMs += sample.idleInstances * counted;
    const stranded = sample.waste?.strandedCapacity;
    totals.unusedCoresMs += Math.max(0, sample.capacity.cores + (stranded?.cores ?? 0) - sample.used.cores) * counted;
    totals.unusedMemoryMbMs +=
      Math.max(0, sample.capacity.memoryMb + (stranded?.memoryMb ?? 0) - sample.used.memoryMb) * counted;
    totals.unusedGpusMs += Math.max(0, sample.capacity.gpus + (stranded?.gpus ?? 0) - sample.used.gpus) * counted;
    if (sample.waste) {
      accumulateWaste(waste, sample.waste, counted);
      totals.strandedInstanceMs += sample.waste.strandedInstances * counted;
    }
    addToBuckets(buckets.demandCores, sample.atMs, untilMs, sample.demand.cores);
    addToBuckets(buckets.demandMemoryMb, sample.atMs, untilMs, sample.demand.memoryMb);
    addToBuckets(buckets.demandGpus, sample.atMs, untilMs, sample.demand.gpus);
    addToBuckets(buckets.capacityCores, sample.atMs, untilMs, sample.capacity.cores);
    addToBuckets(buckets.capacityMemoryMb, sample.atMs, untilMs, sample.capacity.memoryMb);
    addToBuckets(buckets.capacityGpus, sample.atMs, untilMs, sample.capacity.gpus);
    addToBuckets(buckets.sessionsRunning, sample.atMs, untilMs, sample.sessionsRunning);
    addToBuckets(buckets.sessionsWaiting, sample.atMs, untilMs, sample.sessionsWaiting);
  };

  const close = (instanceId: string, atMs: number, reason: DestroyReason): void => {
    const instance = alive.get(instanceId);
    if (!instance) throw new Error(`results: instance "${instanceId}" destroyed but never created`);
    alive.delete(instanceId);
    const { autoscale } = instance;
    const billed = instanceCost({
      createdAtMs: instance.createdAtMs,
      runningAtMs: instance.runningAtMs,
      destroyedAtMs: atMs,
      billing: autoscale.billing,
      pricePerInstanceHour: autoscale.pricePerInstanceHour,
    });
    const billingStartMs = autoscale.billing.bootTimeBilled ? instance.createdAtMs : (instance.runningAtMs ?? atMs);
    const billedMs = billed.billedSeconds * 1000;
    const share = billedMs > 0 ? measured(billingStartMs, billingStartMs + billedMs) / billedMs : 0;
    totals.cost += billed.cost * share;
    totals.billedSeconds += billed.billedSeconds * share;
    totals.instanceMs += measured(instance.createdAtMs, atMs);
    spreadOverDays({
      starts: days,
      totals: dayCost,
      fromMs: billingStartMs,
      toMs: billingStartMs + billed.billedSeconds * 1000,
      amount: billed.cost,
    });
    if (reason === 'scale-down') {
      totals.scaleDowns++;
      if (atMs - instance.createdAtMs < autoscale.downscaleBackoffSeconds * 1000) totals.thrash++;
    } else if (reason === 'boot-failure') {
      totals.bootFailures++;
    } else if (reason === 'checkin-timeout') {
      totals.checkinTimeouts++;
    }
  };

  return {
    instanceCreated({ instanceId, autoscaleId, atMs }) {
      const autoscale = autoscaleById.get(autoscaleId);
      if (!autoscale) throw new Error(`results: unknown autoscale config "${autoscaleId}"`);
      alive.set(instanceId, { autoscale, createdAtMs: atMs });
      totals.scaleUps++;
    },
    instanceRunning({ instanceId, atMs }) {
      const instance = alive.get(instanceId);
      if (instance && instance.runningAtMs === undefined) instance.runningAtMs = atMs;
    },
    instanceDestroyed({ instanceId, atMs, reason }) {
      close(instanceId, atMs, reason);
    },
    sessionStarted({ waitedMs, arrivedAtMs }) {
      if (!inWindow(arrivedAtMs)) return;
      const seconds = waitedMs / 1000;
      totals.served++;
      if (waitedMs > 0) totals.waited++;
      waitsSeconds.push(seconds);
      let bucket = WAIT_HISTOGRAM_BOUNDS_SECONDS.findIndex((bound) => seconds <= bound);
      if (bucket < 0) bucket = WAIT_HISTOGRAM_BOUNDS_SECONDS.length;
      histogram[bucket]!++;
    },
    sessionRefused({ reason, arrivedAtMs }) {
      if (!inWindow(arrivedAtMs)) return;
      totals.refused++;
      if (reason === 'gave-up') totals.gaveUp++;
    },
    fleet(sample) {
      if (previous) integrate(previous, sample.atMs);
      previous = { ...sample };
      let instances = 0;
      for (const state of INSTANCE_STATES) instances += sample.instancesByState[state] ?? 0;
      totals.peakInstances = Math.max(totals.peakInstances, instances);
      totals.peakConcurrent = Math.max(totals.peakConcurrent, sample.sessionsRunning);
    },
    finish({ atMs, oracle }) {
      if (previous) integrate(previous, atMs);
      previous = undefined;
      for (const instanceId of [...alive.keys()]) close(instanceId, atMs, 'end-of-run');
      const sorted = Float64Array.from(waitsSeconds).sort();
      const waitSum = waitsSeconds.reduce((sum, value) => sum + value, 0);
      const toMeans = (series: Float64Array): number[] =>
        Array.from(series, (value, index) => {
          const from = startMs + index * bucketMs;
          const length = Math.min(from + bucketMs, endMs) - from;
          return length > 0 ? value / length : 0;
        });
      let oracleInstances: number[] | undefined;
      let oracleDayCost: number[] | undefined;
      if (oracle) {
        const series = new Float64Array(bucketCount);
        for (let index = 0; index < oracle.steps.atMs.length; index++) {
          const from = oracle.steps.atMs[index]!;
          const to = oracle.steps.atMs[index + 1] ?? from;
          addToBuckets(series, from, to, oracle.steps.instances[index]!);
        }
        oracleInstances = toMeans(series);
        oracleDayCost = new Array<number>(days.length).fill(0);
        for (let index = 0; index < oracle.runs.startMs.length; index++) {
          const fromMs = oracle.runs.startMs[index]!;
          const seconds = oracle.runs.billedSeconds[index]!;
          spreadOverDays({
            starts: days,
            totals: oracleDayCost,
            fromMs,
            toMs: fromMs + seconds * 1000,
            amount: oracle.runs.cost[index]!,
          });
        }
      }
      const runMs = Math.max(1, measured(startMs, atMs));
      const oracleMeasured = oracle
        ? options.measure
          ? measureOracle(oracle, measured)
          : { cost: oracle.cost, instanceHours: oracle.instanceHours }
        : undefined;
      const result: SimulationResult = {
        ...(options.label !== undefined ? { label: options.label } : {}),
        startMs,
        endMs: atMs,
        timezone,
        cost: totals.cost,
        instanceHours: totals.instanceMs / 3_600_000,
        billedInstanceHours: totals.billedSeconds / 3600,
        peakInstances: totals.peakInstances,
        meanInstances: totals.fleetInstanceMs / runMs,
        sessions: {
          total: totals.served + totals.refused,
          served: totals.served,
          waited: totals.waited,
          refused: totals.refused,
          gaveUp: totals.gaveUp,
          peakConcurrent: totals.peakConcurrent,
          waitSeconds: {
            mean: sorted.length > 0 ? waitSum / sorted.length : 0,
            p50: percentileOfSorted(sorted, 0.5),
            p95: percentileOfSorted(sorted, 0.95),
            p99: percentileOfSorted(sorted, 0.99),
            max: sorted.length > 0 ? sorted[sorted.length - 1]! : 0,
          },
        },
        idleInstanceHours: totals.idleInstanceMs / 3_600_000,
        strandedInstanceHours: totals.strandedInstanceMs / 3_600_000,
        unusedCapacityHours: {
          cores: totals.unusedCoresMs / 3_600_000,
          memoryMb: totals.unusedMemoryMbMs / 3_600_000,
          gpus: totals.unusedGpusMs / 3_600_000,
        },
        scaleUps: totals.scaleUps,
        scaleDowns: totals.scaleDowns,
        thrash: totals.thrash,
        bootFailures: totals.bootFailures,
        checkinTimeouts: totals.checkinTimeouts,
        timeline: {
          bucketSeconds,
          atMs: Array.from({ length: bucketCount }, (_, index) => startMs + index * bucketMs),
          demand: {
            cores: toMeans(buckets.demandCores),
            memoryMb: toMeans(buckets.demandMemoryMb),
            gpus: toMeans(buckets.demandGpus),
          },
          capacity: {
            cores: toMeans(buckets.capacityCores),
            memoryMb: toMeans(buckets.capacityMemoryMb),
            gpus: toMeans(buckets.capacityGpus),
          },
          instancesByState: Object.fromEntries(
            INSTANCE_STATES.map((state) => [state, toMeans(buckets[state])]),
          ) as Record<InstanceState, number[]>,
          sessionsRunning: toMeans(buckets.sessionsRunning),
          sessionsWaiting: toMeans(buckets.sessionsWaiting),
          ...(oracleInstances ? { oracleInstances } : {}),
        },
        waitHistogram: { upperBoundSeconds: [...WAIT_HISTOGRAM_BOUNDS_SECONDS], counts: histogram },
        costPerDay: days.map((dayStartMs, index) => ({
          day: dayLabel({ atMs: dayStartMs, timezone }),
          dayStartMs,
          cost: dayCost[index]!,
          ...(oracleDayCost ? { oracleCost: oracleDayCost[index]! } : {}),
        })),
      };
      if (oracle) {
        const measuredOracle = oracleMeasured!;
        result.oracle = {
          cost: measuredOracle.cost,
          fluidCost: oracle.fluidCost * (oracle.cost > 0 ? measuredOracle.cost / oracle.cost : 1),
          instanceHours: measuredOracle.instanceHours,
          peakInstances: oracle.peakInstances,
        };
        if (measuredOracle.cost > 0) result.costRatio = totals.cost / measuredOracle.cost;
        result.gap = computeGapSplit({
          accumulator: waste,
          cost: totals.cost,
          instanceHours: totals.instanceMs / 3_600_000,
          oracleCost: measuredOracle.cost,
          oracleInstanceHours: measuredOracle.instanceHours,
        });
      }
      if (options.measure) result.measureWindow = { fromMs: options.measure.fromMs, toMs: options.measure.toMs };
      return result;
    },
  };
}

/** The oracle's cost (runs pro rata) and instance-hours (steps) inside the measurement window. */
function measureOracle(
  oracle: Pick<OracleResult, 'cost' | 'instanceHours' | 'steps' | 'runs'>,
  measured: (fromMs: number, toMs: number) => number,
): { cost: number; instanceHours: number } {
  let cost = 0;
  for (let index = 0; index < oracle.runs.startMs.length; index++) {
    const fromMs = oracle.runs.startMs[index]!;
    const lengthMs = oracle.runs.billedSeconds[index]! * 1000;
    if (lengthMs > 0) cost += (oracle.runs.cost[index]! * measured(fromMs, fromMs + lengthMs)) / lengthMs;
  }
  let instanceMs = 0;
  for (let index = 0; index < oracle.steps.atMs.length - 1; index++) {
    instanceMs += oracle.steps.instances[index]! * measured(oracle.steps.atMs[index]!, oracle.steps.atMs[index + 1]!);
  }
  return { cost, instanceHours: instanceMs / 3_600_000 };
}
