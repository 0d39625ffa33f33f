import { INSTANCE_STATES, type InstanceState } from '@headroom/core';
import { dayLabel, spreadOverDays } from './calendar-days.js';
import type { OracleResult } from './compute-oracle.js';
import { computeGapSplit } from './gap-split.js';
import { percentileOfSorted } from './percentile.js';
import {
  addToBuckets,
  bucketMeans,
  measuredMs,
  type RecorderState,
  WAIT_HISTOGRAM_BOUNDS_SECONDS,
} from './results-recorder-state.js';
import type { SimulationResult } from './simulation-result.js';

/** The oracle's part of `finish` options. */
export type RecorderOracle = Pick<
  OracleResult,
  'cost' | 'fluidCost' | 'instanceHours' | 'peakInstances' | 'steps' | 'runs'
>;

/**
 * The run's result from the accumulated state, closed at `atMs` (the caller has already integrated
 * the last fleet sample and billed the instances still alive).
 */
export function buildSimulationResult(
  state: RecorderState,
  { atMs, oracle }: { atMs: number; oracle?: RecorderOracle },
): SimulationResult {
  const { options, totals, startMs, timezone } = state;
  const oracleSeries = oracle ? oracleTimelineAndDays(state, oracle) : undefined;
  const runMs = Math.max(1, measuredMs(state, startMs, atMs));
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
    sessions: sessionsSummary(state),
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
    timeline: timeline(state, oracleSeries?.instances),
    waitHistogram: { upperBoundSeconds: [...WAIT_HISTOGRAM_BOUNDS_SECONDS], counts: state.histogram },
    costPerDay: state.days.map((dayStartMs, index) => ({
      day: dayLabel({ atMs: dayStartMs, timezone }),
      dayStartMs,
      cost: state.dayCost[index]!,
      ...(oracleSeries ? { oracleCost: oracleSeries.dayCost[index]! } : {}),
    })),
  };
  if (oracle) addOracleComparison(state, result, oracle);
  if (options.measure) result.measureWindow = { fromMs: options.measure.fromMs, toMs: options.measure.toMs };
  return result;
}

function sessionsSummary(state: RecorderState): SimulationResult['sessions'] {
  const { totals, waitsSeconds } = state;
  const sorted = Float64Array.from(waitsSeconds).sort();
  const waitSum = waitsSeconds.reduce((sum, value) => sum + value, 0);
  return {
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
  };
}

function timeline(state: RecorderState, oracleInstances: number[] | undefined): SimulationResult['timeline'] {
  const { buckets, startMs, bucketMs } = state;
  const means = (series: Float64Array) => bucketMeans(state, series);
  return {
    bucketSeconds: state.bucketSeconds,
    atMs: Array.from({ length: state.bucketCount }, (_, index) => startMs + index * bucketMs),
    demand: {
      cores: means(buckets.demandCores),
      memoryMb: means(buckets.demandMemoryMb),
      gpus: means(buckets.demandGpus),
    },
    capacity: {
      cores: means(buckets.capacityCores),
      memoryMb: means(buckets.capacityMemoryMb),
      gpus: means(buckets.capacityGpus),
    },
    instancesByState: Object.fromEntries(
      INSTANCE_STATES.map((instanceState) => [instanceState, means(buckets[instanceState])]),
    ) as Record<InstanceState, number[]>,
    sessionsRunning: means(buckets.sessionsRunning),
    sessionsWaiting: means(buckets.sessionsWaiting),
    ...(oracleInstances ? { oracleInstances } : {}),
  };
}

/** The oracle's instances per timeline bucket and its cost per day, over the whole run. */
function oracleTimelineAndDays(
  state: RecorderState,
  oracle: RecorderOracle,
): { instances: number[]; dayCost: number[] } {
  const series = new Float64Array(state.bucketCount);
  for (let index = 0; index < oracle.steps.atMs.length; index++) {
    const from = oracle.steps.atMs[index]!;
    const to = oracle.steps.atMs[index + 1] ?? from;
    addToBuckets(state, series, from, to, oracle.steps.instances[index]!);
  }
  const dayCost = new Array<number>(state.days.length).fill(0);
  for (let index = 0; index < oracle.runs.startMs.length; index++) {
    const fromMs = oracle.runs.startMs[index]!;
    const seconds = oracle.runs.billedSeconds[index]!;
    spreadOverDays({
      starts: state.days,
      totals: dayCost,
      fromMs,
      toMs: fromMs + seconds * 1000,
      amount: oracle.runs.cost[index]!,
    });
  }
  return { instances: bucketMeans(state, series), dayCost };
}

/** Sets `oracle`, `costRatio` and `gap` on `result` from the oracle measured in the window. */
function addOracleComparison(state: RecorderState, result: SimulationResult, oracle: RecorderOracle): void {
  const { totals } = state;
  const measuredOracle = state.options.measure
    ? measureOracle(oracle, (fromMs, toMs) => measuredMs(state, fromMs, toMs))
    : { cost: oracle.cost, instanceHours: oracle.instanceHours };
  result.oracle = {
    cost: measuredOracle.cost,
    fluidCost: oracle.fluidCost * (oracle.cost > 0 ? measuredOracle.cost / oracle.cost : 1),
    instanceHours: measuredOracle.instanceHours,
    peakInstances: oracle.peakInstances,
  };
  if (measuredOracle.cost > 0) result.costRatio = totals.cost / measuredOracle.cost;
  result.gap = computeGapSplit({
    accumulator: state.waste,
    cost: totals.cost,
    instanceHours: totals.instanceMs / 3_600_000,
    oracleCost: measuredOracle.cost,
    oracleInstanceHours: measuredOracle.instanceHours,
  });
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
