import type { Resources } from '@headroom/core';

type Measured = 'boot' | 'standby' | 'backoff' | 'stranded';

/** One autoscale config's instances in each measured waste category at a sample, and its prices. */
export interface WasteLevel {
  /** Price per instance-hour. */
  price: number;
  /** Price per instance-hour of boot time (0 when boot time is not billed). */
  bootPrice: number;
  /** Created, failed or not yet checked in. */
  boot: number;
  /** Idle instances the standby setting keeps (beyond free room on busy instances). */
  standby: number;
  /** The other idle instances: kept by the downscale backoff until it expires. */
  backoff: number;
  /** Free room, in instances, on running instances of an inactive config still holding sessions (they take no new ones). */
  stranded: number;
}

/** The fleet's waste categories at one sample (see the engine's `waste-tally.ts`), one level per autoscale config. */
export interface WasteSample {
  levels: WasteLevel[];
  /** Running instances of inactive configs holding sessions (whole instances). */
  strandedInstances: number;
  strandedCapacity: Resources;
  strandedUsed: Resources;
}

/** One part of the gap between a run's cost and the oracle. */
export interface GapPart {
  instanceHours: number;
  cost: number;
}

/**
 * Where the gap between a run's cost and the oracle goes. `boot`, `standby`, `backoff` and
 * `stranded` are measured instance-time (in the measurement window); `packing` is the rest: free
 * capacity on instances that cannot be removed because each holds a session (plus billing
 * rounding). The five add up to `total` = cost − oracle cost (and instance-hours − oracle
 * instance-hours).
 */
export interface GapSplit {
  total: GapPart;
  boot: GapPart;
  standby: GapPart;
  backoff: GapPart;
  packing: GapPart;
  stranded: GapPart;
}

export const GAP_PARTS = ['boot', 'standby', 'backoff', 'packing', 'stranded'] as const;

/** Integrates waste samples over time: instance-ms per autoscale config (in sample order) and category. */
export interface WasteAccumulator {
  levels: { price: number; bootPrice: number; instanceMs: Record<Measured, number> }[];
}

export const createWasteAccumulator = (): WasteAccumulator => ({ levels: [] });

const measuredParts: readonly Measured[] = ['boot', 'standby', 'backoff', 'stranded'];

/** Adds `durationMs` of a sample to the accumulator (integer sums, so the order of samples does not matter). */
export function accumulateWaste(accumulator: WasteAccumulator, sample: WasteSample, durationMs: number): void {
  if (durationMs <= 0) return;
  sample.levels.forEach((level, index) => {
    let target = accumulator.levels[index];
    if (!target) {
      target = {
        price: level.price,
        bootPrice: level.bootPrice,
        instanceMs: { boot: 0, standby: 0, backoff: 0, stranded: 0 },
      };
      accumulator.levels[index] = target;
    }
    for (const key of measuredParts) target.instanceMs[key] += level[key] * durationMs;
  });
}

/** Instance-hours and cost of one measured category. */
export function wastePart(accumulator: WasteAccumulator, key: Measured): GapPart {
  let instanceMs = 0;
  let cost = 0;
  for (const level of accumulator.levels) {
    instanceMs += level.instanceMs[key];
    cost += (level.instanceMs[key] / 3_600_000) * (key === 'boot' ? level.bootPrice : level.price);
  }
  return { instanceHours: instanceMs / 3_600_000, cost };
}

/** The gap split of a run of `cost` / `instanceHours` against an oracle of `oracleCost` / `oracleInstanceHours`. */
export function computeGapSplit(options: {
  accumulator: WasteAccumulator;
  cost: number;
  instanceHours: number;
  oracleCost: number;
  oracleInstanceHours: number;
}): GapSplit {
  const { accumulator } = options;
  const part = (key: Measured): GapPart => wastePart(accumulator, key);
  const total = {
    instanceHours: options.instanceHours - options.oracleInstanceHours,
    cost: options.cost - options.oracleCost,
  };
  const measured = {
    boot: part('boot'),
    standby: part('standby'),
    backoff: part('backoff'),
    stranded: part('stranded'),
  };
  const packing = {
    instanceHours:
      total.instanceHours -
      measured.boot.instanceHours -
      measured.standby.instanceHours -
      measured.backoff.instanceHours -
      measured.stranded.instanceHours,
    cost: total.cost - measured.boot.cost - measured.standby.cost - measured.backoff.cost - measured.stranded.cost,
  };
  return { total, ...measured, packing };
}
