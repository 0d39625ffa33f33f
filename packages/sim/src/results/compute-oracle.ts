import type { Resources } from '@headroom/core';
import { type BillingModel, billedSeconds } from '../cloud-model.js';
import type { TraceSession } from '../trace/trace-session.js';

export interface OracleOptions {
  sessions: readonly Pick<TraceSession, 'startMs' | 'durationMs' | 'cores' | 'memoryMb' | 'gpus'>[];
  /** Capacity of one agent. Resources the agent lacks (0) are not counted. */
  agent: Resources;
  billing: BillingModel;
  pricePerInstanceHour: number;
  /** Most intervals one billed run may merge when searching (bounds the work). Defaults to 512. */
  mergeWindow?: number;
}

export interface OracleResult {
  /** Cost of the ideal fleet under the billing increment and minimum. */
  cost: number;
  /** Cost with no billing rounding at all: price × ∫ instances dt. */
  fluidCost: number;
  /** ∫ instances dt, in hours. */
  instanceHours: number;
  billedInstanceHours: number;
  peakInstances: number;
  /** The ideal instance count: `instances[i]` holds from `atMs[i]` until `atMs[i + 1]` (the last is 0). */
  steps: { atMs: number[]; instances: number[] };
  /** Billed runs of the ideal fleet: start instant, billed seconds and cost. */
  runs: { startMs: number[]; billedSeconds: number[]; cost: number[] };
}

/**
 * The oracle lower bound: a fleet that holds, at every instant, exactly
 * `max over r of ceil(demand_r / agent_r)` instances (demand = resources of the sessions running
 * then, fluid: no packing loss, no boot time, no waiting). Instances are stacked in levels (level
 * k runs while at least k are needed); each level's runs are billed with the increment and
 * minimum, merging runs across a gap whenever paying for the gap is cheaper (exact dynamic program
 * per level within `mergeWindow`).
 */
export function computeOracle(options: OracleOptions): OracleResult {
  const { sessions, agent, billing, pricePerInstanceHour } = options;
  const count = sessions.length;
  const startOrder = sortedOrder(count, (index) => sessions[index]!.startMs);
  const endOrder = sortedOrder(count, (index) => sessions[index]!.startMs + sessions[index]!.durationMs);
  const demand = { cores: 0, memoryMb: 0, gpus: 0 };
  const needed = (): number => {
    let instances = 0;
    if (agent.cores > 0) instances = Math.max(instances, Math.ceil(demand.cores / agent.cores - 1e-9));
    if (agent.memoryMb > 0) instances = Math.max(instances, Math.ceil(demand.memoryMb / agent.memoryMb - 1e-9));
    if (agent.gpus > 0) instances = Math.max(instances, Math.ceil(demand.gpus / agent.gpus - 1e-9));
    return Math.max(0, instances);
  };
  const steps = { atMs: [] as number[], instances: [] as number[] };
  const levelStarts: number[] = [];
  const levels: { starts: number[]; ends: number[] }[] = [];
  let current = 0;
  let peak = 0;
  let instanceMs = 0;
  let lastChangeMs = 0;
  let startCursor = 0;
  let endCursor = 0;
  while (startCursor < count || endCursor < count) {
    const nextStart = startCursor < count ? sessions[startOrder[startCursor]!]!.startMs : Number.POSITIVE_INFINITY;
    const endSession = endCursor < count ? sessions[endOrder[endCursor]!]! : undefined;
    const nextEnd = endSession ? endSession.startMs + endSession.durationMs : Number.POSITIVE_INFINITY;
    const atMs = Math.min(nextStart, nextEnd);
    while (endCursor < count) {
      const session = sessions[endOrder[endCursor]!]!;
      if (session.startMs + session.durationMs !== atMs) break;
      demand.cores -= session.cores;
      demand.memoryMb -= session.memoryMb;
      demand.gpus -= session.gpus;
      endCursor++;
    }
    while (startCursor < count) {
      const session = sessions[startOrder[startCursor]!]!;
      if (session.startMs !== atMs) break;
      demand.cores += session.cores;
      demand.memoryMb += session.memoryMb;
      demand.gpus += session.gpus;
      startCursor++;
    }
    const next = needed();
    if (next === current) continue;
    instanceMs += current * (atMs - lastChangeMs);
    lastChangeMs = atMs;
    for (let level = current; level < next; level++) levelStarts[level] = atMs;
    for (let level = next; level < current; level++) {
      levels[level] ??= { starts: [], ends: [] };
      levels[level]!.starts.push(levelStarts[level]!);
      levels[level]!.ends.push(atMs);
    }
    steps.atMs.push(atMs);
    steps.instances.push(next);
    current = next;
    peak = Math.max(peak, current);
  }
  const runs = { startMs: [] as number[], billedSeconds: [] as number[], cost: [] as number[] };
  let totalBilledSeconds = 0;
  const threshold = 2 * Math.max(billing.minimumSeconds, billing.incrementSeconds) * 1000;
  const window = options.mergeWindow ?? 512;
  for (const level of levels) {
    if (!level) continue;
    totalBilledSeconds += billLevel({ level, billing, threshold, window, runs, pricePerInstanceHour });
  }
  return {
    cost: (totalBilledSeconds / 3600) * pricePerInstanceHour,
    fluidCost: (instanceMs / 3_600_000) * pricePerInstanceHour,
    instanceHours: instanceMs / 3_600_000,
    billedInstanceHours: totalBilledSeconds / 3600,
    peakInstances: peak,
    steps,
    runs,
  };
}

function billLevel(options: {
  level: { starts: number[]; ends: number[] };
  billing: BillingModel;
  threshold: number;
  window: number;
  runs: { startMs: number[]; billedSeconds: number[]; cost: number[] };
  pricePerInstanceHour: number;
}): number {
  const { level, billing, threshold, window, runs, pricePerInstanceHour } = options;
  const count = level.starts.length;
  const best = new Float64Array(count + 1);
  const choice = new Int32Array(count);
  for (let last = 0; last < count; last++) {
    best[last + 1] = Number.POSITIVE_INFINITY;
    for (let first = last; first >= 0 && last - first < window; first--) {
      const candidate =
        best[first]! + billedSeconds({ seconds: (level.ends[last]! - level.starts[first]!) / 1000, billing });
      if (candidate < best[last + 1]!) {
        best[last + 1] = candidate;
        choice[last] = first;
      }
      if (first > 0 && level.starts[first]! - level.ends[first - 1]! > threshold) break;
    }
  }
  const levelRuns: [number, number][] = [];
  for (let last = count - 1; last >= 0; ) {
    const first = choice[last]!;
    levelRuns.push([
      level.starts[first]!,
      billedSeconds({ seconds: (level.ends[last]! - level.starts[first]!) / 1000, billing }),
    ]);
    last = first - 1;
  }
  for (let index = levelRuns.length - 1; index >= 0; index--) {
    runs.startMs.push(levelRuns[index]![0]);
    runs.billedSeconds.push(levelRuns[index]![1]);
    runs.cost.push((levelRuns[index]![1] / 3600) * pricePerInstanceHour);
  }
  return best[count]!;
}

/**
 * Indices `0..count-1` ordered by `key`, ties by index (a stable sort). Already-sorted keys (session
 * starts) are detected in one pass; otherwise a bottom-up merge sort over typed arrays, which avoids
 * a comparator call per comparison.
 */
function sortedOrder(count: number, key: (index: number) => number): Uint32Array {
  const keys = new Float64Array(count);
  let sorted = true;
  for (let index = 0; index < count; index++) {
    keys[index] = key(index);
    if (index > 0 && keys[index]! < keys[index - 1]!) sorted = false;
  }
  let order = new Uint32Array(count);
  for (let index = 0; index < count; index++) order[index] = index;
  if (sorted) return order;
  let buffer = new Uint32Array(count);
  for (let width = 1; width < count; width *= 2) {
    for (let low = 0; low < count; low += 2 * width) {
      const middle = Math.min(low + width, count);
      const high = Math.min(low + 2 * width, count);
      let left = low;
      let right = middle;
      let out = low;
      while (left < middle && right < high) {
        // Ties take the left run first: equal keys keep index order.
        if (keys[order[right]!]! < keys[order[left]!]!) buffer[out++] = order[right++]!;
        else buffer[out++] = order[left++]!;
      }
      while (left < middle) buffer[out++] = order[left++]!;
      while (right < high) buffer[out++] = order[right++]!;
    }
    [order, buffer] = [buffer, order];
  }
  return order;
}

/** Sums the oracles of several pools into one: costs and hours add, the step functions add up. */
export function combineOracles(oracles: readonly OracleResult[]): OracleResult {
  if (oracles.length === 1) return oracles[0]!;
  const changes = new Map<number, number>();
  for (const oracle of oracles) {
    let previous = 0;
    oracle.steps.atMs.forEach((atMs, index) => {
      const instances = oracle.steps.instances[index]!;
      changes.set(atMs, (changes.get(atMs) ?? 0) + instances - previous);
      previous = instances;
    });
  }
  const steps = { atMs: [] as number[], instances: [] as number[] };
  let current = 0;
  let peak = 0;
  for (const atMs of [...changes.keys()].sort((a, b) => a - b)) {
    const delta = changes.get(atMs)!;
    if (delta === 0) continue;
    current += delta;
    steps.atMs.push(atMs);
    steps.instances.push(current);
    peak = Math.max(peak, current);
  }
  const sum = (pick: (oracle: OracleResult) => number) => oracles.reduce((total, oracle) => total + pick(oracle), 0);
  return {
    cost: sum((oracle) => oracle.cost),
    fluidCost: sum((oracle) => oracle.fluidCost),
    instanceHours: sum((oracle) => oracle.instanceHours),
    billedInstanceHours: sum((oracle) => oracle.billedInstanceHours),
    peakInstances: peak,
    steps,
    runs: {
      startMs: oracles.flatMap((oracle) => oracle.runs.startMs),
      billedSeconds: oracles.flatMap((oracle) => oracle.runs.billedSeconds),
      cost: oracles.flatMap((oracle) => oracle.runs.cost),
    },
  };
}
